//! A DedeCMS 5.7 site as its database dump holds it: 栏目 (`dede_arctype`), articles
//! (`dede_archives` + `dede_addonarticle`) and tags (`dede_taglist`). Table prefixes other than
//! `dede_` are found by these names' endings. Columns are taken by name (from the `CREATE TABLE`
//! or the `INSERT`'s column list), so a site whose tables gained or lost columns still reads.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use wenyuan_text::sqldump::{Dump, DumpError, SqlValue, Statement};

/// The tables read, by the ending of their name.
const TABLES: [&str; 4] = ["arctype", "archives", "addonarticle", "taglist"];

/// A 栏目.
#[derive(Debug, Clone, Default)]
pub struct DedeCategory {
    pub id: i64,
    pub parent: i64,
    pub name: String,
    /// `{cmspath}/a/zongjie` as stored.
    pub dir: String,
    /// How article pages are named, e.g. `{typedir}/{Y}/{M}{D}/{aid}.html`.
    pub article_rule: String,
    /// How list pages are named, e.g. `{typedir}/list_{tid}_{page}.html`.
    pub list_rule: String,
}

/// An article: `dede_archives` joined with its body from `dede_addonarticle`.
#[derive(Debug, Clone, Default)]
pub struct DedeArticle {
    pub id: i64,
    pub category: i64,
    pub title: String,
    /// Unix seconds.
    pub pubdate: i64,
    pub senddate: i64,
    pub click: i64,
    pub keywords: String,
    pub description: String,
    /// -2 deleted (回收站), -1 awaiting review, 0 open, > 0 a member rank.
    pub arcrank: i64,
    /// `h` 头条, `c` 推荐, `p` 图片 …, comma-separated.
    pub flag: String,
    /// 1 for articles; other channels (图集, 软件 …) keep their content in other tables.
    pub channel: i64,
    /// A custom file name for the article page (`filename`), if set.
    pub filename: String,
    pub body: Option<String>,
}

/// What the dump held.
#[derive(Debug, Default)]
pub struct DedeSite {
    /// The table prefix found (`dede_`).
    pub prefix: String,
    pub categories: BTreeMap<i64, DedeCategory>,
    pub articles: Vec<DedeArticle>,
    /// Tags by article id, from `dede_taglist`.
    pub tags: HashMap<i64, Vec<String>>,
}

impl DedeSite {
    /// Read a dump. The character set comes from its `SET NAMES` (GBK and UTF-8 dumps both).
    pub fn read(reader: impl BufRead) -> Result<DedeSite, String> {
        let mut dump = Dump::new(reader);
        let mut columns: HashMap<String, Vec<String>> = HashMap::new();
        let mut rows: HashMap<&'static str, Vec<HashMap<String, SqlValue>>> = HashMap::new();
        let mut prefixes: HashMap<String, usize> = HashMap::new();
        while let Some(statement) = dump.next_statement().map_err(message)? {
            match statement {
                Statement::CreateTable { table, columns: c } => {
                    columns.insert(table, c);
                }
                Statement::Insert {
                    table,
                    columns: named,
                    rows: values,
                } => {
                    let Some((kind, prefix)) = table_kind(&table) else {
                        continue;
                    };
                    *prefixes.entry(prefix.to_owned()).or_default() += values.len();
                    let names = named
                        .or_else(|| columns.get(&table).cloned())
                        .ok_or_else(|| {
                            format!("表 {table} 的数据之前没有它的结构（CREATE TABLE），也没有列名，无法对应各列")
                        })?;
                    let target = rows.entry(kind).or_default();
                    for row in values {
                        target.push(names.iter().cloned().zip(row).collect());
                    }
                }
            }
        }
        let prefix = prefixes
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(p, _)| p)
            .ok_or("备份文件中没有 DedeCMS 的数据表（dede_archives、dede_arctype 等）")?;
        let mut site = DedeSite {
            prefix,
            ..DedeSite::default()
        };
        for row in rows.remove("arctype").unwrap_or_default() {
            let category = DedeCategory {
                id: int(&row, "id"),
                parent: int(&row, "reid"),
                name: text(&row, "typename"),
                dir: text(&row, "typedir"),
                article_rule: text(&row, "namerule"),
                list_rule: text(&row, "namerule2"),
            };
            site.categories.insert(category.id, category);
        }
        let mut bodies: HashMap<i64, String> = rows
            .remove("addonarticle")
            .unwrap_or_default()
            .into_iter()
            .map(|row| (int(&row, "aid"), text(&row, "body")))
            .collect();
        for row in rows.remove("archives").unwrap_or_default() {
            let id = int(&row, "id");
            site.articles.push(DedeArticle {
                id,
                category: int(&row, "typeid"),
                title: text(&row, "title"),
                pubdate: int(&row, "pubdate"),
                senddate: int(&row, "senddate"),
                click: int(&row, "click"),
                keywords: text(&row, "keywords"),
                description: text(&row, "description"),
                arcrank: int(&row, "arcrank"),
                flag: text(&row, "flag"),
                channel: row.get("channel").and_then(SqlValue::as_i64).unwrap_or(1),
                filename: text(&row, "filename"),
                body: bodies.remove(&id),
            });
        }
        site.articles.sort_by_key(|a| a.id);
        for row in rows.remove("taglist").unwrap_or_default() {
            let tag = text(&row, "tag");
            if !tag.trim().is_empty() {
                site.tags
                    .entry(int(&row, "aid"))
                    .or_default()
                    .push(tag.trim().to_owned());
            }
        }
        Ok(site)
    }
}

fn message(err: DumpError) -> String {
    err.to_string()
}

/// `dede_archives` → (`archives`, `dede_`); `my_arctype` → (`arctype`, `my_`).
fn table_kind(table: &str) -> Option<(&'static str, &str)> {
    // Only whole endings after `_` count: `dede_myarchives` is not `archives`.
    TABLES.iter().find_map(|kind| {
        table
            .strip_suffix(kind)
            .filter(|prefix| prefix.is_empty() || prefix.ends_with('_'))
            .map(|prefix| (*kind, prefix))
    })
}

fn int(row: &HashMap<String, SqlValue>, column: &str) -> i64 {
    row.get(column).and_then(SqlValue::as_i64).unwrap_or(0)
}

fn text(row: &HashMap<String, SqlValue>, column: &str) -> String {
    row.get(column)
        .map(|v| v.as_text().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_found_by_their_endings_whatever_the_prefix() {
        assert_eq!(table_kind("dede_archives"), Some(("archives", "dede_")));
        assert_eq!(table_kind("fw_arctype"), Some(("arctype", "fw_")));
        assert_eq!(
            table_kind("dede_addonarticle"),
            Some(("addonarticle", "dede_"))
        );
        assert_eq!(table_kind("dede_arctiny"), None);
        assert_eq!(table_kind("dede_myarchives"), None);
    }
}
