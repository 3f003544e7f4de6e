//! Who may read what: document access levels and viewer roles.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// How far a document is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Everyone reads it in full.
    Public,
    /// Logged-in members read it in full; guests see the preview.
    Member,
    /// VIP members (and staff) read it in full; everyone else sees the preview.
    Vip,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Member => "member",
            Access::Vip => "vip",
        }
    }
}

impl FromStr for Access {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Ok(Access::Public),
            "member" => Ok(Access::Member),
            "vip" => Ok(Access::Vip),
            other => Err(format!(
                "unknown access level {other:?}: use public, member or vip"
            )),
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Guest,
    Member,
    Vip,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::Member => "member",
            Role::Vip => "vip",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Whether this viewer may read a document of this access level in full.
    pub fn can_read(self, access: Access) -> bool {
        match access {
            Access::Public => true,
            Access::Member => self >= Role::Member,
            Access::Vip => self >= Role::Vip,
        }
    }

    pub fn is_staff(self) -> bool {
        self >= Role::Editor
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" => Ok(Role::Member),
            "vip" => Ok(Role::Vip),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?}: use member, vip, editor or admin"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_reads_what_it_should() {
        let table = [
            (Role::Guest, [true, false, false]),
            (Role::Member, [true, true, false]),
            (Role::Vip, [true, true, true]),
            (Role::Editor, [true, true, true]),
            (Role::Admin, [true, true, true]),
        ];
        for (role, expected) in table {
            let got = [Access::Public, Access::Member, Access::Vip].map(|a| role.can_read(a));
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn parsing_rejects_unknown_names_with_a_hint() {
        assert_eq!("VIP".parse::<Access>(), Ok(Access::Vip));
        assert!("secret"
            .parse::<Access>()
            .unwrap_err()
            .contains("public, member or vip"));
        assert!(
            "guest".parse::<Role>().is_err(),
            "nobody is stored as a guest"
        );
    }
}
