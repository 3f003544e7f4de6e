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

    /// The role a user with stored role `self` and VIP end `vip_until` (unix seconds) reads as
    /// at `now`: a member whose VIP (granted or redeemed) ends after `now` reads as VIP, an ended
    /// one as the member they are. A stored `vip` is VIP without end; staff stay staff.
    pub fn effective(self, vip_until: Option<i64>, now: i64) -> Role {
        match self {
            Role::Member if vip_until.is_some_and(|end| end > now) => Role::Vip,
            other => other,
        }
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
    fn vip_until_a_date_reads_as_vip_before_it_and_as_a_member_after() {
        let now = 1_800_000_000;
        let table = [
            (Role::Member, None, Role::Member),
            (Role::Member, Some(now + 1), Role::Vip),
            (Role::Member, Some(now), Role::Member),
            (Role::Member, Some(now - 86_400), Role::Member),
            (Role::Vip, None, Role::Vip),
            (Role::Vip, Some(now - 86_400), Role::Vip),
            (Role::Editor, Some(now + 1), Role::Editor),
            (Role::Admin, None, Role::Admin),
        ];
        for (stored, until, expected) in table {
            assert_eq!(
                stored.effective(until, now),
                expected,
                "{stored:?} {until:?}"
            );
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
