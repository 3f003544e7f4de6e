//! The addresses a DedeCMS site served its pages under, so that each can answer 301 with the
//! page's new address. DedeCMS names static pages by its 栏目's rules (`namerule` for articles,
//! default `{typedir}/{Y}/{M}{D}/{aid}.html`; `namerule2` for lists, default
//! `{typedir}/list_{tid}_{page}.html`), with `{cmspath}` the site's sub-folder (empty on almost
//! every site), and serves the same pages dynamically at `/plus/view.php?aid=N` and
//! `/plus/list.php?tid=N` (pseudo-static: `/plus/view-N-1.html`). Which time stamp a page's date
//! comes from differs between DedeCMS versions (`senddate` or `pubdate`): both are listed.

use chrono::DateTime;

use super::site::{DedeArticle, DedeCategory};

/// DedeCMS's default article rule, used when a 栏目 names none.
const DEFAULT_ARTICLE_RULE: &str = "{typedir}/{y}/{m}{d}/{aid}.html";

/// China Standard Time (UTC+8, no daylight saving): a DedeCMS site's dates are local dates in
/// China.
const CHINA_OFFSET_SECONDS: i64 = 8 * 3600;

/// `{cmspath}/a/zongjie/` → `/a/zongjie`: the folder of a 栏目, rooted, without a trailing `/`.
pub fn category_dir(category: &DedeCategory) -> String {
    let dir = category.dir.replace("{cmspath}", "");
    let dir = dir.trim().trim_end_matches('/');
    if dir.starts_with('/') {
        dir.to_lowercase()
    } else {
        format!("/{}", dir.to_lowercase())
    }
}

/// The date of a Unix time stamp in China, as (`2024`, `12`, `20`).
fn ymd(stamp: i64) -> Option<(String, String, String)> {
    let time = DateTime::from_timestamp(stamp.checked_add(CHINA_OFFSET_SECONDS)?, 0)?;
    Some((
        time.format("%Y").to_string(),
        time.format("%m").to_string(),
        time.format("%d").to_string(),
    ))
}

/// The document date of an article (`YYYY-MM-DD` in China), from `pubdate`, else `senddate`.
pub fn article_date(article: &DedeArticle) -> Option<String> {
    [article.pubdate, article.senddate]
        .into_iter()
        .filter(|s| *s > 0)
        .find_map(|s| ymd(s).map(|(y, m, d)| format!("{y}-{m}-{d}")))
}

/// Every address the article was served under.
pub fn article_paths(article: &DedeArticle, category: Option<&DedeCategory>) -> Vec<String> {
    let aid = article.id.to_string();
    let mut paths = vec![
        format!("/plus/view.php?aid={aid}"),
        format!("/plus/view-{aid}-1.html"),
    ];
    if let Some(category) = category {
        let dir = category_dir(category);
        if !article.filename.trim().is_empty() {
            let name = article
                .filename
                .trim()
                .trim_start_matches('/')
                .to_lowercase();
            if name.contains('.') {
                paths.push(format!("{dir}/{name}"));
            } else {
                paths.push(format!("{dir}/{name}.html"));
            }
        }
        let rule = match category.article_rule.trim() {
            "" => DEFAULT_ARTICLE_RULE.to_owned(),
            rule => rule.to_lowercase(),
        };
        for stamp in [article.senddate, article.pubdate] {
            let Some((y, m, d)) = ymd(stamp) else {
                continue;
            };
            let path = rule
                .replace("{cmspath}", "")
                .replace("{typedir}", &dir)
                .replace("{y}", &y)
                .replace("{m}", &m)
                .replace("{d}", &d)
                .replace("{timestamp}", &stamp.to_string())
                .replace("{aid}", &aid);
            // {pinyin}, {py} and {cc} need DedeCMS's own transliteration and hashing: such rules
            // are left to the dynamic address.
            if !path.contains('{') {
                paths.push(rooted(&path));
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// The addresses of a 栏目's first list page: its folder, its index file, the dynamic list.
pub fn category_paths(category: &DedeCategory) -> Vec<String> {
    let dir = category_dir(category);
    vec![
        format!("{dir}/"),
        format!("{dir}/index.html"),
        format!("/plus/list.php?tid={}", category.id),
    ]
}

fn rooted(path: &str) -> String {
    let path = path.replace("//", "/");
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category() -> DedeCategory {
        DedeCategory {
            id: 3,
            dir: "{cmspath}/a/ZongJie".into(),
            ..DedeCategory::default()
        }
    }

    #[test]
    fn an_article_is_found_under_its_static_and_dynamic_addresses() {
        // 2024-12-20 09:30 in China is 01:30 UTC.
        let stamp = 1_734_658_200;
        let article = DedeArticle {
            id: 123,
            pubdate: stamp,
            senddate: stamp,
            ..DedeArticle::default()
        };
        assert_eq!(
            article_paths(&article, Some(&category())),
            [
                "/a/zongjie/2024/1220/123.html",
                "/plus/view-123-1.html",
                "/plus/view.php?aid=123",
            ]
        );
        assert_eq!(article_date(&article).as_deref(), Some("2024-12-20"));
        let custom = DedeCategory {
            article_rule: "{typedir}/{aid}.html".into(),
            ..category()
        };
        assert!(article_paths(&article, Some(&custom)).contains(&"/a/zongjie/123.html".to_owned()));
        let named = DedeArticle {
            filename: "nianzhong".into(),
            ..article
        };
        assert!(article_paths(&named, Some(&category()))
            .contains(&"/a/zongjie/nianzhong.html".to_owned()));
    }

    #[test]
    fn a_category_is_found_under_its_folder_index_and_list() {
        assert_eq!(
            category_paths(&category()),
            [
                "/a/zongjie/",
                "/a/zongjie/index.html",
                "/plus/list.php?tid=3"
            ]
        );
    }
}
