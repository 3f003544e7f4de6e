//! The pager under every list: numbered page links around the current one with ellipses, 首页 /
//! 末页, 上一页 / 下一页, and a small 跳至 form (a GET form: it works without JavaScript). The
//! same links go into the page's `<head>` as `rel=prev` / `rel=next`.

use serde::Serialize;

/// Pages shown on each side of the current one before an ellipsis.
const AROUND: i64 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    /// The list's path, the jump form's action.
    pub path: String,
    /// The list's other query parameters, carried by the jump form as hidden fields.
    pub hidden: Vec<(String, String)>,
    pub first: String,
    pub last: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PagerLink>,
}

/// A numbered link, or (with `page` of `None`) an ellipsis.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PagerLink {
    pub page: Option<i64>,
    pub href: String,
    pub current: bool,
}

impl Pager {
    /// The pager of page `page` of `pages` of the list at `path` with `params` (no `page`).
    pub fn new(path: &str, params: &[(&str, &str)], page: i64, pages: i64) -> Pager {
        let pages = pages.max(1);
        let page = page.clamp(1, pages);
        let href = |n: i64| href(path, params, n);
        let mut links = Vec::new();
        let mut last_shown = 0;
        for n in 1..=pages {
            let near = (n - page).abs() <= AROUND;
            if n == 1 || n == pages || near {
                if n > last_shown + 1 {
                    links.push(PagerLink {
                        page: None,
                        href: String::new(),
                        current: false,
                    });
                }
                links.push(PagerLink {
                    page: Some(n),
                    href: href(n),
                    current: n == page,
                });
                last_shown = n;
            } else if n < page {
                // Jump straight to the window around the current page: a list of a million
                // pages is not walked.
                continue;
            } else {
                // Past the window: only the last page is left to show.
                if pages > last_shown + 1 {
                    links.push(PagerLink {
                        page: None,
                        href: String::new(),
                        current: false,
                    });
                }
                links.push(PagerLink {
                    page: Some(pages),
                    href: href(pages),
                    current: false,
                });
                break;
            }
        }
        Pager {
            page,
            pages,
            path: path.to_owned(),
            hidden: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            first: href(1),
            last: href(pages),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            links,
        }
    }
}

/// `path?params&page=n`; page 1 has no `page=` (one address per page).
fn href(path: &str, params: &[(&str, &str)], n: i64) -> String {
    let page = n.to_string();
    let mut pairs: Vec<(&str, &str)> = params.to_vec();
    if n > 1 {
        pairs.push(("page", &page));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(p: &Pager) -> Vec<String> {
        p.links
            .iter()
            .map(|l| match (l.page, l.current) {
                (None, _) => "…".to_owned(),
                (Some(n), true) => format!("[{n}]"),
                (Some(n), false) => n.to_string(),
            })
            .collect()
    }

    #[test]
    fn numbers_around_the_current_page_with_ellipses() {
        assert_eq!(shown(&Pager::new("/", &[], 1, 1)), ["[1]"]);
        assert_eq!(shown(&Pager::new("/", &[], 1, 4)), ["[1]", "2", "3", "4"]);
        assert_eq!(
            shown(&Pager::new("/", &[], 1, 801)),
            ["[1]", "2", "3", "…", "801"]
        );
        assert_eq!(
            shown(&Pager::new("/", &[], 400, 801)),
            ["1", "…", "398", "399", "[400]", "401", "402", "…", "801"]
        );
        assert_eq!(
            shown(&Pager::new("/", &[], 801, 801)),
            ["1", "…", "799", "800", "[801]"]
        );
        assert_eq!(
            shown(&Pager::new("/", &[], 4, 8)),
            ["1", "2", "3", "[4]", "5", "6", "…", "8"]
        );
    }

    #[test]
    fn links_keep_the_other_parameters_and_page_one_has_no_number() {
        let p = Pager::new("/hot", &[("window", "month")], 2, 3);
        assert_eq!(p.first, "/hot?window=month");
        assert_eq!(p.prev.as_deref(), Some("/hot?window=month"));
        assert_eq!(p.next.as_deref(), Some("/hot?window=month&page=3"));
        assert_eq!(p.last, "/hot?window=month&page=3");
        let p = Pager::new("/search", &[("q", "乡村 振兴&")], 1, 2);
        assert_eq!(
            p.next.as_deref(),
            Some("/search?q=%E4%B9%A1%E6%9D%91+%E6%8C%AF%E5%85%B4%26&page=2")
        );
    }
}
