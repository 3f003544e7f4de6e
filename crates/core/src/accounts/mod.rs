//! Accounts and logins: argon2id password hashes, server-side sessions behind a random cookie.

pub mod admin;
pub mod api_tokens;
pub mod mail;
pub mod recovery;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Duration;
use wenyuan_store::NewAuditEntry;

pub use self::admin::MemberAdmin;
pub use self::api_tokens::{ApiCaller, ApiScope, ApiTokenInfo, ApiTokens, NewApiToken};
pub use self::recovery::Recovery;
use crate::context::Context;
use crate::limits::{limit_key, Busy, Lockout, SharedRateLimit, WorkGate};
use crate::{CoreError, Result, Role};

/// A logged-in user, as the web layer needs it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A new login: the cookie value to hand out (only its hash is stored) and the member.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub member: Member,
    pub max_age_seconds: i64,
}

const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 32;

/// Check a user name: 2–32 characters, letters (any script), digits, `_`, `-`, `.`.
pub fn validate_name(name: &str) -> Result<()> {
    let count = name.chars().count();
    if !(2..=MAX_NAME_CHARS).contains(&count) {
        return Err(CoreError::invalid(
            "account",
            format!("用户名需要 2–{MAX_NAME_CHARS} 个字符"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(CoreError::invalid(
            "account",
            "用户名只能包含文字、字母、数字和 _ - .".to_owned(),
        ));
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::invalid(
            "account",
            format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(CoreError::invalid("account", "密码太长".to_owned()));
    }
    Ok(())
}

/// How long a password computation waits for a free core before the request is refused as busy.
const PASSWORD_WAIT: Duration = Duration::from_secs(2);
const BUSY: &str = "服务器正忙，请稍后再试";

/// The one gate of argon2 computations in this process: one per core, because each takes a core
/// and 19 MiB for its whole run, and a burst of them at once exhausted memory (issue 10).
fn password_gate() -> &'static WorkGate {
    static GATE: OnceLock<WorkGate> = OnceLock::new();
    GATE.get_or_init(|| WorkGate::per_core(PASSWORD_WAIT))
}

/// Run an argon2 computation through the gate, on a blocking thread.
async fn through_gate<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match password_gate().run(work).await {
        Err(Busy) => {
            tracing::warn!("password computations busy: a {what} was refused");
            Err(CoreError::TooMany(BUSY.to_owned()))
        }
        Ok(joined) => joined.map_err(|e| CoreError::Internal(format!("{what} task: {e}")))?,
    }
}

/// Hash a password with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async threads
/// and at most one per core at a time.
pub async fn hash_password(password: String) -> Result<String> {
    through_gate("password hashing", move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("hashing a password: {e}")))
    })
    .await
}

pub(crate) async fn verify_password(password: String, hash: String) -> Result<bool> {
    through_gate("password check", move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| CoreError::Internal(format!("stored password hash is unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// Whole minutes, rounded up, for "try again in N minutes".
fn minutes(seconds: i64) -> i64 {
    (seconds + 59) / 60
}

/// The stored form of a session cookie value.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A fresh random token for forms (CSRF) and other one-off secrets.
pub fn random_token() -> String {
    new_token()
}

/// What an account's login failures are counted under: the name as the login form would find it
/// (case folded), with control characters dropped and the length bounded, since the key is
/// stored (PostgreSQL refuses NUL in text) and anyone may type any name.
fn account_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// Login failures of one account before it is locked, and the first lockout (then doubling).
pub const ACCOUNT_FAILURES: u32 = 5;
/// Login failures from one address (any accounts) before it is locked: a little more than one
/// account's, since an office or a household shares an address.
pub const ADDRESS_FAILURES: u32 = 10;
pub const LOCKOUT_SECONDS: i64 = 60;
/// Registrations one address may make per [`REGISTRATION_WINDOW_SECONDS`].
pub const REGISTRATIONS_PER_WINDOW: usize = 5;
pub const REGISTRATION_WINDOW_SECONDS: i64 = 3600;

/// Accounts: sign-up, login, logout, the session behind a cookie.
///
/// Logins are limited per address and per account name (known or not, so the limit tells
/// nothing about which names exist) with a lockout that doubles; registrations per address. The
/// counts are in the database, shared by every node (see [`crate::limits`]).
pub struct Accounts {
    ctx: Context,
    account_failures: Lockout,
    address_failures: Lockout,
    registrations: SharedRateLimit,
}

/// Why a registration with a taken name is refused: the same words whatever the reason.
pub const NAME_UNUSABLE: &str = "无法使用这个用户名注册，请换一个用户名再试";

impl Accounts {
    pub(crate) fn new(ctx: Context) -> Self {
        Accounts {
            ctx,
            account_failures: Lockout::new("login-account", ACCOUNT_FAILURES, LOCKOUT_SECONDS),
            address_failures: Lockout::new("login-address", ADDRESS_FAILURES, LOCKOUT_SECONDS),
            registrations: SharedRateLimit::new(
                "register",
                REGISTRATIONS_PER_WINDOW,
                REGISTRATION_WINDOW_SECONDS,
            ),
        }
    }

    /// Register a member from the site, from address `ip`: validated, then limited per address
    /// (counted only for valid input, so fixing a typo is not punished), then created.
    ///
    /// A taken name is refused like any unusable name, with the same status and a message that
    /// does not say the name exists, after the same work (the password is hashed first); with the
    /// per-address limit a script learns little from the form about who has an account.
    pub async fn register(&self, name: &str, password: &str, ip: &str) -> Result<Member> {
        validate_name(name.trim())?;
        validate_password(password)?;
        self.registrations
            .check(&self.ctx.store, ip, self.ctx.now())
            .await?
            .map_err(|wait| {
                CoreError::TooMany(format!(
                    "注册太频繁了：同一网络 1 小时内最多注册 {REGISTRATIONS_PER_WINDOW} 个账号，请约 {} 分钟后再试",
                    minutes(wait)
                ))
            })?;
        self.add_user(name, password, Role::Member)
            .await
            .map_err(|err| match err {
                CoreError::Conflict(_) => CoreError::invalid("name", NAME_UNUSABLE),
                other => other,
            })
    }

    /// Create an account. Registration through the site passes `Role::Member`; the CLI may give
    /// any role.
    pub async fn add_user(&self, name: &str, password: &str, role: Role) -> Result<Member> {
        let name = name.trim();
        validate_name(name)?;
        validate_password(password)?;
        if role == Role::Guest {
            return Err(CoreError::invalid(
                "account",
                "a user cannot have the guest role".to_owned(),
            ));
        }
        let hash = hash_password(password.to_owned()).await?;
        let id = self
            .ctx
            .store
            .create_user(name, &hash, role.as_str(), self.ctx.now())
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => CoreError::Conflict(format!("用户名“{name}”已被占用")),
                other => other,
            })?;
        Ok(Member {
            id,
            name: name.to_owned(),
            role,
        })
    }

    /// Check a name and password and open a session. `previous` is the session cookie the
    /// browser sent, if any: it is ended, so a login always gets a new session id.
    ///
    /// `ip` is the client's address. While the address or the account is locked out every try is
    /// refused before the password is checked, the right one too, with
    /// [`CoreError::TooMany`].
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        ip: &str,
        previous: Option<&str>,
    ) -> Result<Login> {
        const WRONG: &str = "用户名或密码不正确";
        let name = name.trim();
        let account_key = account_key(name);
        let address_key = limit_key(ip);
        let now = self.ctx.now();
        let store = &self.ctx.store;
        let wait = [
            self.address_failures
                .check(store, &address_key, now)
                .await?,
            self.account_failures
                .check(store, &account_key, now)
                .await?,
        ]
        .into_iter()
        .filter_map(|r| r.err())
        .max();
        if let Some(wait) = wait {
            return Err(CoreError::TooMany(format!(
                "登录失败次数过多，已暂时锁定：请约 {} 分钟后再试",
                minutes(wait)
            )));
        }
        // A name that cannot be valid (NUL or other control characters, which PostgreSQL would
        // refuse as text) is looked up as no one, without asking the database.
        let user = if name.chars().any(char::is_control) || name.chars().count() > MAX_NAME_CHARS {
            None
        } else {
            self.ctx.store.user_by_name(name).await?
        };
        let Some(user) = user else {
            // Spend the same time as a real check, so timing does not tell which names exist.
            hash_password(password.to_owned()).await?;
            self.failed(&account_key, &address_key).await;
            return Err(CoreError::Unauthorized(WRONG));
        };
        if !verify_password(password.to_owned(), user.password_hash.clone()).await? {
            self.failed(&account_key, &address_key).await;
            return Err(CoreError::Unauthorized(WRONG));
        }
        // The address is not forgiven: one's own account must not reset the count of guesses
        // at others'.
        if let Err(e) = self.account_failures.forgive(store, &account_key).await {
            tracing::warn!(error = %e, "cannot clear an account's login failures");
        }
        if user.disabled != 0 {
            return Err(CoreError::Forbidden("该账号已被停用"));
        }
        if let Some(old) = previous {
            self.ctx.store.delete_session(&token_hash(old)).await?;
        }
        let token = new_token();
        let now = self.ctx.now();
        let max_age = self.ctx.settings().session_days.max(1) * 86_400;
        self.ctx
            .store
            .create_session(&token_hash(&token), user.id, now, now + max_age)
            .await?;
        Ok(Login {
            token,
            member: member_at(user, now),
            max_age_seconds: max_age,
        })
    }

    /// Count a failed login; a lockout it starts goes to the audit log.
    async fn failed(&self, account_key: &str, address_key: &str) {
        let now = self.ctx.now();
        let store = &self.ctx.store;
        let locks = [
            (
                "account",
                account_key,
                self.account_failures.fail(store, account_key, now).await,
            ),
            (
                "address",
                address_key,
                self.address_failures.fail(store, address_key, now).await,
            ),
        ];
        for (kind, key, started) in locks {
            let seconds = match started {
                Ok(Some(seconds)) => seconds,
                Ok(None) => continue,
                Err(e) => {
                    // The login is refused anyway; only this failure goes uncounted.
                    tracing::error!(error = %e, kind, "cannot count a login failure");
                    continue;
                }
            };
            tracing::warn!(
                kind,
                key,
                seconds,
                "login locked out after repeated failures"
            );
            let target = format!("{kind}:{key}");
            let detail = format!("登录连续失败，锁定 {seconds} 秒");
            let entry = NewAuditEntry {
                user_id: None,
                user_name: "",
                action: "login.lockout",
                target: &target,
                detail: &detail,
            };
            // The lockout holds whether or not the log could be written.
            if let Err(e) = self.ctx.store.record_audit(&entry, now).await {
                tracing::error!(error = %e, "cannot write the lockout to the audit log");
            }
        }
    }

    /// Delete login-failure and registration counts that no longer matter.
    pub async fn sweep_limits(&self) -> Result<u64> {
        crate::limits::sweep(&self.ctx.store, self.ctx.now()).await
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        Ok(self.ctx.store.delete_session(&token_hash(token)).await?)
    }

    /// The member behind a session cookie, if the session is live.
    pub async fn member_for_token(&self, token: &str) -> Result<Option<Member>> {
        // Tokens we issue are 64 hex characters; anything else cannot match, so skip the query.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let user = self
            .ctx
            .store
            .session_user(&token_hash(token), self.ctx.now())
            .await?;
        Ok(user.map(|u| member_at(u, self.ctx.now())))
    }
}

/// A user as the rest of the site sees them at `now`: the one place a stored role and a VIP end
/// become the role every gate, page and limit reads ([`Role::effective`]).
fn member_at(user: wenyuan_store::UserRow, now: i64) -> Member {
    member_of(user.id, user.name, &user.role, user.vip_until, now)
}

/// As [`member_at`], from the columns that decide it (an API token's owner is read without the
/// rest of the user row).
fn member_of(id: i64, name: String, stored_role: &str, vip_until: Option<i64>, now: i64) -> Member {
    let stored = stored_role.parse().unwrap_or(Role::Member);
    Member {
        id,
        role: stored.effective(vip_until, now),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_are_checked_with_clear_messages() {
        assert!(validate_name("张三").is_ok());
        assert!(validate_name("reader_01").is_ok());
        assert!(validate_name("a").is_err());
        assert!(validate_name("有 空格").is_err());
        assert!(validate_name("<script>").is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough").is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse".into(), hash.clone())
            .await
            .unwrap());
        assert!(!verify_password("wrong horse".into(), hash).await.unwrap());
    }

    #[test]
    fn token_hashes_are_stable_sha256() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
