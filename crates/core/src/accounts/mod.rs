//! Accounts and logins: argon2id password hashes, server-side sessions behind a random cookie.

pub mod admin;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use self::admin::MemberAdmin;
use crate::context::Context;
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

/// Hash a password with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| CoreError::Internal(format!("password hashing task: {e}")))?
}

async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| CoreError::Internal(format!("stored password hash is unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| CoreError::Internal(format!("password check task: {e}")))?
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

/// Accounts: sign-up, login, logout, the session behind a cookie.
pub struct Accounts {
    ctx: Context,
}

impl Accounts {
    pub(crate) fn new(ctx: Context) -> Self {
        Accounts { ctx }
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
    pub async fn login(&self, name: &str, password: &str, previous: Option<&str>) -> Result<Login> {
        const WRONG: &str = "用户名或密码不正确";
        let user = self.ctx.store.user_by_name(name.trim()).await?;
        let Some(user) = user else {
            // Spend the same time as a real check, so timing does not tell which names exist.
            let _ = hash_password(password.to_owned()).await;
            return Err(CoreError::Unauthorized(WRONG));
        };
        if !verify_password(password.to_owned(), user.password_hash.clone()).await? {
            return Err(CoreError::Unauthorized(WRONG));
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
            member: Member {
                id: user.id,
                name: user.name,
                role: user.role.parse().unwrap_or(Role::Member),
            },
            max_age_seconds: max_age,
        })
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
        Ok(user.map(|u| Member {
            id: u.id,
            role: u.role.parse().unwrap_or(Role::Member),
            name: u.name,
        }))
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
