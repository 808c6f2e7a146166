//! The `messages` table: every GP2GP message kept, grouped by conversation.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

/// What part a message plays in a conversation.
pub mod role {
    pub const EXTRACT: &str = "extract";
    pub const REQUEST: &str = "request";
    pub const ACKNOWLEDGEMENT: &str = "acknowledgement";
    pub const CONTINUE: &str = "continue";
    pub const FRAGMENT_INDEX: &str = "fragment_index";
    pub const FRAGMENT: &str = "fragment";
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMessage {
    /// Upper-case, as [`conversation_key`] makes it.
    pub conversation_id: Option<String>,
    pub interaction: String,
    /// One of [`role`].
    pub role: String,
    /// Upper-case eb:MessageId.
    pub ebxml_message_id: Option<String>,
    pub hl7_message_id: Option<String>,
    pub from_ods: Option<String>,
    pub to_ods: Option<String>,
    pub sent_at: Option<String>,
    pub sent_precision: Option<String>,
    pub sent_raw: Option<String>,
    pub received_at: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: u64,
    pub archive_name: String,
    pub ack_type: Option<String>,
    pub ack_message_ref: Option<String>,
    pub ack_reasons: Option<String>,
    pub nhs_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub transfer_id: Option<i64>,
    pub fields: NewMessage,
}

/// Conversation and message ids compare case-insensitively; they are kept upper-case.
pub fn conversation_key(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_ascii_uppercase()
}

const COLUMNS: &str =
    "id, transfer_id, conversation_id, interaction, role, ebxml_message_id, hl7_message_id, \
     from_ods, to_ods, sent_at, sent_precision, sent_raw, received_at, file_name, sha256, size_bytes, \
     archive_name, ack_type, ack_message_ref, ack_reasons, nhs_number";

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        id: r.get(0)?,
        transfer_id: r.get(1)?,
        fields: NewMessage {
            conversation_id: r.get(2)?,
            interaction: r.get(3)?,
            role: r.get(4)?,
            ebxml_message_id: r.get(5)?,
            hl7_message_id: r.get(6)?,
            from_ods: r.get(7)?,
            to_ods: r.get(8)?,
            sent_at: r.get(9)?,
            sent_precision: r.get(10)?,
            sent_raw: r.get(11)?,
            received_at: r.get(12)?,
            file_name: r.get(13)?,
            sha256: r.get(14)?,
            size_bytes: r.get::<_, i64>(15)?.try_into().unwrap_or(0),
            archive_name: r.get(16)?,
            ack_type: r.get(17)?,
            ack_message_ref: r.get(18)?,
            ack_reasons: r.get(19)?,
            nhs_number: r.get(20)?,
        },
    })
}

impl Store {
    pub fn insert_message(&self, m: &NewMessage) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO messages (conversation_id, interaction, role, ebxml_message_id, hl7_message_id, \
                 from_ods, to_ods, sent_at, sent_precision, sent_raw, received_at, file_name, sha256, size_bytes, \
                 archive_name, ack_type, ack_message_ref, ack_reasons, nhs_number)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                m.conversation_id,
                m.interaction,
                m.role,
                m.ebxml_message_id,
                m.hl7_message_id,
                m.from_ods,
                m.to_ods,
                m.sent_at,
                m.sent_precision,
                m.sent_raw,
                m.received_at,
                m.file_name,
                m.sha256,
                i64::try_from(m.size_bytes).unwrap_or(i64::MAX),
                m.archive_name,
                m.ack_type,
                m.ack_message_ref,
                m.ack_reasons,
                m.nhs_number,
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn message(&self, id: i64) -> Result<Option<StoredMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// The message whose original had exactly these bytes.
    pub fn message_by_sha256(&self, sha256: &str) -> Result<Option<StoredMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE sha256 = ?1");
        Ok(self.conn().query_row(&sql, [sha256], from_row).optional()?)
    }

    /// Every message of a conversation, in arrival order.
    pub fn conversation_messages(&self, conversation_id: &str) -> Result<Vec<StoredMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([conversation_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every message of a transfer, in arrival order.
    pub fn transfer_messages(&self, transfer_id: i64) -> Result<Vec<StoredMessage>> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE transfer_id = ?1 ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([transfer_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_message_transfer(&self, message_id: i64, transfer_id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE messages SET transfer_id = ?2 WHERE id = ?1",
            params![message_id, transfer_id],
        )?;
        Ok(())
    }

    pub fn count_messages(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }
}
