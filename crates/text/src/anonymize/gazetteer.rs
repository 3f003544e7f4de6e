//! The bundled gazetteer of Chinese administrative divisions (data/gazetteer.txt, see
//! data/README.md) and the automaton over it, built once per process.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

const DATA: &str = include_str!("../../data/gazetteer.txt");

/// One pattern of the automaton: a full name (浙江省) or, for names that may stand alone, the
/// name without its suffix (浙江).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pattern {
    /// Characters of the name without its suffix (浙江省: 2).
    pub base_chars: usize,
    /// Whether this pattern is the name without its suffix.
    pub bare: bool,
}

pub(super) struct Gazetteer {
    pub automaton: AhoCorasick,
    pub patterns: Vec<Pattern>,
}

/// The shared gazetteer. `None` only if the bundled data could not be compiled into an
/// automaton, which a unit test rules out.
pub(super) fn gazetteer() -> Option<&'static Gazetteer> {
    static GAZETTEER: OnceLock<Option<Gazetteer>> = OnceLock::new();
    GAZETTEER.get_or_init(build).as_ref()
}

fn build() -> Option<Gazetteer> {
    let mut words: Vec<&str> = Vec::new();
    let mut patterns = Vec::new();
    let mut seen_bare = std::collections::HashSet::new();
    for line in DATA.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(name), Some(level), Some(base), Some(bare)) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        // The level (p, c, d, t) does not change how a name is matched; towns are told apart
        // by the data itself (none of them may stand without its suffix).
        if !matches!(level, "p" | "c" | "d" | "t") {
            continue;
        }
        let base_chars = base.chars().count();
        let bare_allowed = bare == "1";
        words.push(name);
        patterns.push(Pattern {
            base_chars,
            bare: false,
        });
        // Several divisions share a base (朝阳区, 朝阳县); the bare pattern is added once, from
        // the highest level (the file lists provinces first).
        if bare_allowed && seen_bare.insert(base) {
            words.push(base);
            patterns.push(Pattern {
                base_chars,
                bare: true,
            });
        }
    }
    // Standard semantics with overlapping search: every occurrence of every name is seen, and
    // the matcher decides which to keep (the longest is not always right: 发展乡村).
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&words)
        .ok()?;
    Some(Gazetteer {
        automaton,
        patterns,
    })
}

/// The distinct suffixes the gazetteer's names carry after their base (省, 市, 区, 街道, 自治县,
/// 苗族乡 …): what 模板化 keeps after the placeholder, so the blanks' detector
/// ([`crate::placeholders`]) knows them all. Read from the list once per process.
pub(crate) fn place_suffixes() -> &'static [String] {
    static SUFFIXES: OnceLock<Vec<String>> = OnceLock::new();
    SUFFIXES.get_or_init(|| {
        let mut suffixes: Vec<String> = DATA
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let name = cols.next()?;
                let base = cols.nth(1)?;
                name.strip_prefix(base)
                    .filter(|suffix| !suffix.is_empty())
                    .map(str::to_owned)
            })
            .collect();
        suffixes.sort_unstable();
        suffixes.dedup();
        suffixes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_gazetteer_builds_and_holds_every_level() {
        let g = gazetteer().expect("gazetteer builds");
        assert!(g.patterns.len() > 30_000);
        for level in ["p", "c", "d", "t"] {
            let count = DATA
                .lines()
                .filter(|l| l.split('\t').nth(1) == Some(level))
                .count();
            assert!(count > 30, "level {level}: {count} names");
        }
        for name in [
            "浙江省",
            "杭州市",
            "萧山区",
            "呼和浩特市",
            "延边朝鲜族自治州",
            "城关镇",
        ] {
            assert!(
                DATA.lines().any(|l| l.starts_with(&format!("{name}\t"))),
                "{name}"
            );
        }
    }
}
