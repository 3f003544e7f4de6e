//! API tokens for editors' tools: made at the desk by an editor or admin, scoped, revocable,
//! stored as SHA-256 hashes and shown once. A request that carries one acts as its owner, with
//! the owner's role as it is now (a demoted or disabled owner's tokens stop working at once).

use std::fmt;
use std::str::FromStr;

use wenyuan_store::ApiTokenRow;

use super::{member_of, new_token, token_hash, Member};
use crate::audit::audit_entry;
use crate::context::Context;
use crate::error::Missing;
use crate::{CoreError, Result};

/// What a token may do. A token carries one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiScope {
    /// `POST /api/v1/documents`.
    CreateDocuments,
    /// `PATCH /api/v1/documents/{id}` (and `GET`, to read what it will change).
    UpdateDocuments,
    /// `DELETE /api/v1/documents/{id}`: takes a document off the site, as the desk's 隐藏 does.
    DeleteDocuments,
}

impl ApiScope {
    pub const ALL: [ApiScope; 3] = [
        ApiScope::CreateDocuments,
        ApiScope::UpdateDocuments,
        ApiScope::DeleteDocuments,
    ];

    /// The stored spelling, also the one forms send.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::CreateDocuments => "documents:create",
            ApiScope::UpdateDocuments => "documents:update",
            ApiScope::DeleteDocuments => "documents:delete",
        }
    }

    /// What the desk calls it.
    pub fn label(self) -> &'static str {
        match self {
            ApiScope::CreateDocuments => "新建文档",
            ApiScope::UpdateDocuments => "读取和修改文档",
            ApiScope::DeleteDocuments => "下架文档",
        }
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiScope {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        ApiScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| format!("未知的令牌权限 {s:?}"))
    }
}

/// Scopes as stored: space-separated, unknown words (from a newer version) left out.
fn parse_scopes(stored: &str) -> Vec<ApiScope> {
    stored
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Every secret starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const SECRET_PREFIX: &str = "wy_";
const MAX_NAME_CHARS: usize = 40;
/// How often a token's last use is written: once a minute is enough for the desk, and a tool
/// sending many requests must not write a row on each.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// A token as the desk lists it, its times in the site's time zone.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub owner: String,
    pub name: String,
    /// What the desk calls its scopes (新建文档、下架文档).
    pub scopes: Vec<&'static str>,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

impl ApiTokenInfo {
    fn new(row: ApiTokenRow, ctx: &Context) -> Self {
        ApiTokenInfo {
            id: row.id,
            owner: row.user_name,
            name: row.name,
            scopes: parse_scopes(&row.scopes)
                .into_iter()
                .map(ApiScope::label)
                .collect(),
            created: ctx.local_time(row.created_at),
            last_used: row.last_used_at.map(|at| ctx.local_time(at)),
            revoked: row.revoked_at.map(|at| ctx.local_time(at)),
        }
    }
}

/// A token just made: its secret, which is not stored and cannot be shown again.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: i64,
    pub secret: String,
}

/// Who a request with a valid token acts as.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub member: Member,
    pub token_id: i64,
    pub scopes: Vec<ApiScope>,
}

impl ApiCaller {
    /// Refuses (403) a request the token's scopes do not cover.
    pub fn require(&self, scope: ApiScope) -> Result<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(CoreError::Forbidden("这个令牌没有这项权限"))
        }
    }
}

pub struct ApiTokens {
    ctx: Context,
}

impl ApiTokens {
    pub(crate) fn new(ctx: Context) -> Self {
        ApiTokens { ctx }
    }

    /// Make a token for `actor`, who must be an editor or admin: a guest or member can own none.
    pub async fn create(
        &self,
        actor: &Member,
        name: &str,
        scopes: &[ApiScope],
    ) -> Result<NewApiToken> {
        if !actor.role.is_staff() {
            return Err(CoreError::Forbidden("只有编辑和管理员可以创建接口令牌"));
        }
        let name = name.trim();
        let count = name.chars().count();
        if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "name",
                format!("请给令牌起个名字（1–{MAX_NAME_CHARS} 个字），说明它给哪个工具用"),
            ));
        }
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(CoreError::invalid("scopes", "请至少选择一项权限"));
        }
        let stored_scopes = scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let secret = format!("{SECRET_PREFIX}{}", new_token());
        let labels = scopes
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join("、");
        let detail = format!("令牌「{name}」，权限：{labels}");
        let target = format!("member:{}", actor.id);
        let entry = audit_entry(actor, "api_token.create", &target, &detail);
        let id = self
            .ctx
            .store
            .create_api_token(
                actor.id,
                name,
                &token_hash(&secret),
                &stored_scopes,
                self.ctx.now(),
                &entry,
            )
            .await?;
        Ok(NewApiToken { id, secret })
    }

    /// The tokens `viewer` may see: an admin sees everyone's, an editor their own.
    pub async fn list(&self, viewer: &Member) -> Result<Vec<ApiTokenInfo>> {
        let owner = (viewer.role != crate::Role::Admin).then_some(viewer.id);
        Ok(self
            .ctx
            .store
            .api_tokens(owner)
            .await?
            .into_iter()
            .map(|row| ApiTokenInfo::new(row, &self.ctx))
            .collect())
    }

    /// Revoke token `id`: its owner or an admin may. Revoking a revoked token changes nothing.
    pub async fn revoke(&self, actor: &Member, id: i64) -> Result<()> {
        let token = self
            .ctx
            .store
            .api_token(id)
            .await?
            .filter(|t| actor.role == crate::Role::Admin || t.user_id == actor.id)
            .ok_or(CoreError::NotFound(Missing::ApiToken(id)))?;
        let detail = format!("令牌「{}」（{}）", token.name, token.user_name);
        let target = format!("member:{}", token.user_id);
        let entry = audit_entry(actor, "api_token.revoke", &target, &detail);
        self.ctx
            .store
            .revoke_api_token(id, self.ctx.now(), &entry)
            .await?;
        Ok(())
    }

    /// The caller behind `secret`, when it names a live token of an enabled editor or admin.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<ApiCaller>> {
        // Secrets we issue are the prefix and 64 hex characters; anything else cannot match.
        let well_formed = secret
            .strip_prefix(SECRET_PREFIX)
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !well_formed {
            return Ok(None);
        }
        let Some(owner) = self.ctx.store.api_token_owner(&token_hash(secret)).await? else {
            return Ok(None);
        };
        let now = self.ctx.now();
        if owner
            .last_used_at
            .is_none_or(|at| now - at >= TOUCH_EVERY_SECONDS)
        {
            self.ctx.store.touch_api_token(owner.token_id, now).await?;
        }
        let member = member_of(
            owner.user_id,
            owner.user_name,
            &owner.role,
            owner.vip_until,
            now,
        );
        Ok(Some(ApiCaller {
            member,
            token_id: owner.token_id,
            scopes: parse_scopes(&owner.scopes),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_unknown_words_are_left_out() {
        for scope in ApiScope::ALL {
            assert_eq!(scope.as_str().parse::<ApiScope>(), Ok(scope));
        }
        assert_eq!(
            parse_scopes("documents:delete  documents:create future:thing"),
            vec![ApiScope::DeleteDocuments, ApiScope::CreateDocuments]
        );
        assert!("documents:write".parse::<ApiScope>().is_err());
    }
}
