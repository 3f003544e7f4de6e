//! Filtered lists shown a page at a time: a WHERE clause built from optional filters, numbered
//! `$N` parameters, and one page of rows with the count of all that match.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, FromRow};

use crate::error::Context;
use crate::Result;

/// A value bound to a `$N` of a filter.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// The conditions of a list and their values, numbered in the order they are added.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Filter {
    /// A condition with no value (`a.status = 'published'`).
    pub fn require(&mut self, sql: &str) {
        self.conditions.push(sql.to_owned());
    }

    /// A condition with one value; its `?` becomes the next `$N`.
    pub fn push(&mut self, sql: &str, value: Bind) {
        self.binds.push(value);
        self.conditions
            .push(sql.replace('?', &format!("${}", self.binds.len())));
    }

    /// `WHERE … AND …`, or nothing when there is no condition.
    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// `LIMIT $n OFFSET $n+1`, numbered after the filter's own values.
    pub fn limit_offset(&self) -> String {
        let n = self.binds.len();
        format!("LIMIT ${} OFFSET ${}", n + 1, n + 2)
    }
}

/// One page of `list_sql` (which ends with [`Filter::limit_offset`]) and the `COUNT(*)` of
/// `count_sql`, both bound to the filter's values. `what` names the list in errors.
pub(crate) async fn fetch_page<T>(
    pool: &AnyPool,
    list_sql: &str,
    count_sql: &str,
    filter: &Filter,
    (limit, offset): (i64, i64),
    what: &'static str,
) -> Result<(Vec<T>, i64)>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut list = sqlx::query_as::<Any, T>(list_sql);
    let mut count = sqlx::query_scalar::<Any, i64>(count_sql);
    for bind in &filter.binds {
        match bind {
            Bind::Int(v) => {
                list = list.bind(*v);
                count = count.bind(*v);
            }
            Bind::Text(v) => {
                list = list.bind(v.clone());
                count = count.bind(v.clone());
            }
        }
    }
    let rows = list
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .context(what)?;
    let total = count.fetch_one(pool).await.context(what)?;
    Ok((rows, total))
}

/// `text` for use inside a LIKE pattern with `ESCAPE '\'`: its own `%`, `_` and `\` match
/// themselves.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_their_text_literally() {
        assert_eq!(like_escape("100%_a\\b"), "100\\%\\_a\\\\b");
        assert_eq!(like_escape("讲话"), "讲话");
    }

    #[test]
    fn conditions_are_numbered_in_order_and_limit_comes_last() {
        let mut filter = Filter::default();
        assert_eq!(filter.where_clause(), "");
        filter.require("a.status = 'published'");
        filter.push("a.category_id = ?", Bind::Int(3));
        filter.push("t.name = ?", Bind::Text("讲话".to_owned()));
        assert_eq!(
            filter.where_clause(),
            "WHERE a.status = 'published' AND a.category_id = $1 AND t.name = $2"
        );
        assert_eq!(filter.limit_offset(), "LIMIT $3 OFFSET $4");
    }
}
