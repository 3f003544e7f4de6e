//! 栏目 inside 栏目: the menu shows the top level, each counting the documents of everything under
//! it; a category's page names the categories above it (the crumbs) and those just under it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use wenyuan_store::CategoryRow;

use super::list::CategoryItem;

/// Where a category sits: the categories above it, top first, and those just under it that hold
/// published documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CategoryFamily {
    pub ancestors: Vec<CategoryItem>,
    pub children: Vec<CategoryItem>,
}

/// Every category with its place in the tree and its published documents counted over its
/// whole subtree.
pub(crate) struct CategoryTree {
    rows: Vec<CategoryRow>,
    /// Where each id is in `rows`.
    index: HashMap<i64, usize>,
    /// Published documents in the category and everything under it, by id.
    totals: HashMap<i64, i64>,
}

impl CategoryTree {
    /// `rows` in menu order (`sort`, then name), as the store lists them.
    pub fn new(rows: Vec<CategoryRow>) -> Self {
        let index: HashMap<i64, usize> =
            rows.iter().enumerate().map(|(at, r)| (r.id, at)).collect();
        let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
        for (at, row) in rows.iter().enumerate() {
            if let Some(parent) = row.parent_id {
                children.entry(parent).or_default().push(at);
            }
        }
        let mut totals = HashMap::with_capacity(rows.len());
        for row in &rows {
            // Walk the subtree once per category; `seen` ends a loop, which the desk refuses
            // but an old database could hold.
            let mut seen = HashSet::from([row.id]);
            let mut stack = vec![row.id];
            let mut total = 0;
            while let Some(id) = stack.pop() {
                if let Some(&at) = index.get(&id) {
                    total += rows[at].articles;
                }
                for &child in children.get(&id).into_iter().flatten() {
                    if seen.insert(rows[child].id) {
                        stack.push(rows[child].id);
                    }
                }
            }
            totals.insert(row.id, total);
        }
        CategoryTree {
            rows,
            index,
            totals,
        }
    }

    fn row(&self, id: i64) -> Option<&CategoryRow> {
        self.index.get(&id).map(|&at| &self.rows[at])
    }

    fn item(&self, row: &CategoryRow) -> CategoryItem {
        CategoryItem {
            name: row.name.clone(),
            slug: row.slug.clone(),
            articles: self.totals.get(&row.id).copied().unwrap_or(0),
        }
    }

    fn is_top(&self, row: &CategoryRow) -> bool {
        // A parent that is gone counts as the top level.
        row.parent_id
            .is_none_or(|parent| self.row(parent).is_none())
    }

    /// Sorted as the menu always was: `sort`, then the most documents, then name.
    fn sorted(&self, mut items: Vec<(i64, CategoryItem)>) -> Vec<CategoryItem> {
        let sort_of = |id: i64| self.row(id).map_or(0, |r| r.sort);
        items.sort_by(|(a_id, a), (b_id, b)| {
            sort_of(*a_id)
                .cmp(&sort_of(*b_id))
                .then(b.articles.cmp(&a.articles))
                .then(a.name.cmp(&b.name))
        });
        items.into_iter().map(|(_, item)| item).collect()
    }

    /// The menu: top-level categories that hold published documents, directly or below.
    pub fn menu(&self) -> Vec<CategoryItem> {
        let items = self
            .rows
            .iter()
            .filter(|row| self.is_top(row))
            .map(|row| (row.id, self.item(row)))
            .filter(|(_, item)| item.articles > 0)
            .collect();
        self.sorted(items)
    }

    /// The category `id`'s ancestors and its children that hold published documents.
    pub fn family(&self, id: i64) -> CategoryFamily {
        let mut ancestors = Vec::new();
        let mut seen = HashSet::from([id]);
        let mut at = self.row(id);
        while let Some(parent) = at.and_then(|row| row.parent_id) {
            if !seen.insert(parent) {
                break;
            }
            at = self.row(parent);
            if let Some(row) = at {
                ancestors.push(self.item(row));
            }
        }
        ancestors.reverse();
        let children = self
            .rows
            .iter()
            .filter(|row| row.parent_id == Some(id) && row.id != id)
            .map(|row| (row.id, self.item(row)))
            .filter(|(_, item)| item.articles > 0)
            .collect();
        CategoryFamily {
            ancestors,
            children: self.sorted(children),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, name: &str, parent: Option<i64>, articles: i64) -> CategoryRow {
        CategoryRow {
            id,
            name: name.to_owned(),
            slug: format!("c{id}"),
            articles,
            parent_id: parent,
            sort: 0,
        }
    }

    #[test]
    fn the_menu_counts_whole_subtrees_and_shows_only_the_top() {
        let tree = CategoryTree::new(vec![
            row(1, "讲话稿", None, 0),
            row(2, "领导讲话", Some(1), 3),
            row(3, "会议讲话", Some(2), 2),
            row(4, "工作总结", None, 4),
            row(5, "空栏目", None, 0),
        ]);
        let menu: Vec<(String, i64)> = tree
            .menu()
            .into_iter()
            .map(|c| (c.name, c.articles))
            .collect();
        assert_eq!(
            menu,
            vec![("讲话稿".to_owned(), 5), ("工作总结".to_owned(), 4)]
        );
        let family = tree.family(2);
        assert_eq!(family.ancestors.len(), 1);
        assert_eq!(family.ancestors[0].name, "讲话稿");
        assert_eq!(family.children.len(), 1);
        assert_eq!(family.children[0].name, "会议讲话");
    }

    #[test]
    fn a_loop_in_old_data_ends() {
        let tree = CategoryTree::new(vec![row(1, "甲", Some(2), 1), row(2, "乙", Some(1), 1)]);
        assert!(tree.menu().is_empty(), "neither is at the top level");
        let family = tree.family(1);
        assert_eq!(family.ancestors.len(), 1);
        assert_eq!(family.children.len(), 1);
    }
}
