//! A document's editorial status.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a document stands on the desk. Only `Published` documents reach readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being written; only staff see it.
    Draft,
    /// Waiting for an editor (near-duplicates are held here).
    Pending,
    /// On the site.
    Published,
    /// Taken off the site, kept.
    Hidden,
}

impl Status {
    /// Every status, in the order the desk lists them.
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Pending,
        Status::Published,
        Status::Hidden,
    ];

    /// The stored spelling (also the one forms and the API use).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Published => "published",
            Status::Hidden => "hidden",
        }
    }

    /// The name editors see.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Pending => "待审",
            Status::Published => "已发布",
            Status::Hidden => "已隐藏",
        }
    }

    /// The label of a stored spelling; an unknown one is shown as stored.
    pub fn label_of(stored: &str) -> &str {
        match stored.parse::<Status>() {
            Ok(status) => status.label(),
            Err(_) => stored,
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| format!("unknown status {s:?}: use draft, pending, published or hidden"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status equals its stored spelling, so rows (which hold the spelling) compare directly.
impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn statuses_parse_print_and_label() {
        let table = [
            ("draft", Status::Draft, "草稿"),
            ("pending", Status::Pending, "待审"),
            ("published", Status::Published, "已发布"),
            ("hidden", Status::Hidden, "已隐藏"),
        ];
        for (text, status, label) in table {
            assert_eq!(text.parse::<Status>().unwrap(), status);
            assert_eq!(status.as_str(), text);
            assert_eq!(status.to_string(), text);
            assert_eq!(status.label(), label);
            assert_eq!(Status::label_of(text), label);
        }
        assert_eq!(" published ".parse::<Status>().unwrap(), Status::Published);
        assert!("Published!".parse::<Status>().is_err());
        assert!("".parse::<Status>().is_err());
        assert_eq!(Status::label_of("archived"), "archived");
    }
}
