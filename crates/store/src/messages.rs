//! Messages left through the contact form.

use sqlx::Any;

use crate::audit::record_audit_in;
use crate::error::Context;
use crate::NewAuditEntry;
use crate::{Result, Store};

/// A message as the contact service hands it to the store (already validated and trimmed).
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub name: &'a str,
    pub contact: &'a str,
    pub message: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub message: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
    /// 0 or 1.
    pub is_read: i64,
    pub reply_note: Option<String>,
}

/// How many messages there are, and how many nobody has marked read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageCounts {
    pub total: i64,
    pub unread: i64,
}

impl Store {
    pub async fn insert_message(&self, m: &NewMessage<'_>) -> Result<i64> {
        sqlx::query_scalar::<Any, i64>(
            "INSERT INTO contact_messages (name, contact, message, ip, user_agent, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(m.name)
        .bind(m.contact)
        .bind(m.message)
        .bind(m.ip)
        .bind(m.user_agent)
        .bind(m.created_at)
        .fetch_one(&self.pool)
        .await
        .context("storing a contact message")
    }

    /// Messages, newest first; `unread_only` leaves out those someone marked read.
    pub async fn messages(
        &self,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<MessageRow>> {
        let filter = if unread_only {
            "WHERE is_read = 0 "
        } else {
            ""
        };
        sqlx::query_as::<Any, MessageRow>(&format!(
            "SELECT id, name, contact, message, ip, user_agent, created_at, is_read, reply_note \
             FROM contact_messages {filter}ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .context("listing contact messages")
    }

    pub async fn message_counts(&self) -> Result<MessageCounts> {
        // COUNT is BIGINT on PostgreSQL (SUM of a BIGINT would be NUMERIC, which `Any` cannot read).
        let (total, unread) = sqlx::query_as::<Any, (i64, i64)>(
            "SELECT COUNT(*), COUNT(CASE WHEN is_read = 0 THEN 1 END) FROM contact_messages",
        )
        .fetch_one(&self.pool)
        .await
        .context("counting contact messages")?;
        Ok(MessageCounts { total, unread })
    }

    /// Mark a message read or unread, recording who did it; false when there is no such message.
    pub async fn set_message_read(
        &self,
        id: i64,
        read: bool,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        self.update_message(
            "UPDATE contact_messages SET is_read = $1 WHERE id = $2",
            i64::from(read),
            None,
            id,
            audit,
            now,
        )
        .await
    }

    /// Set (or, with `None`, clear) the staff's follow-up note of a message, recording who did it;
    /// false when there is no such message.
    pub async fn set_message_note(
        &self,
        id: i64,
        note: Option<&str>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        self.update_message(
            "UPDATE contact_messages SET reply_note = $1 WHERE id = $2",
            0,
            Some(note),
            id,
            audit,
            now,
        )
        .await
    }

    /// One change to one message and its audit entry, in one transaction. The statement's `$1`
    /// is `note` when given, else `flag`.
    async fn update_message(
        &self,
        statement: &'static str,
        flag: i64,
        note: Option<Option<&str>>,
        id: i64,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let query = sqlx::query(statement);
        let query = match note {
            Some(note) => query.bind(note.map(str::to_owned)),
            None => query.bind(flag),
        };
        let done = query
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("changing a contact message")?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a message change")?;
        Ok(true)
    }
}
