//! Result counts per category (facets): a collector over the category fast field. Each segment
//! counts term ordinals (no string per document); the strings are looked up once per segment.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::CATEGORY;

/// Matches per category name, most first.
pub type Counts = Vec<(String, usize)>;

/// Counts matches per category name; the fruit is sorted by count, most first, then by name.
pub struct CategoryCounts;

pub struct SegmentCounts {
    column: Option<StrColumn>,
    counts: Vec<usize>,
}

impl Collector for CategoryCounts {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let column = reader.fast_fields().str(CATEGORY)?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentCounts {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, usize>>) -> tantivy::Result<Counts> {
        let mut all: HashMap<String, usize> = HashMap::new();
        for fruit in fruits {
            for (name, n) in fruit {
                *all.entry(name).or_default() += n;
            }
        }
        let mut out: Counts = all.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = HashMap<String, usize>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(n) = self.counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        let Some(column) = self.column else {
            return out;
        };
        let mut name = String::new();
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            name.clear();
            if column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                out.insert(name.clone(), n);
            }
        }
        out
    }
}
