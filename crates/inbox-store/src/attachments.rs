//! The `attachments` table: files stored with a transfer (content on disk, metadata here).

use rusqlite::{params, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAttachment {
    pub transfer_id: i64,
    /// The manifest reference (`cid:...`, `mid:...`) or content id.
    pub reference: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub description: Option<String>,
    pub size_bytes: u64,
    pub sha256: String,
    /// Path of the content, relative to the attachments folder.
    pub content_name: String,
    /// `inline` or `large_message`.
    pub source: String,
    pub slices: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub fields: NewAttachment,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        fields: NewAttachment {
            transfer_id: r.get(1)?,
            reference: r.get(2)?,
            file_name: r.get(3)?,
            content_type: r.get(4)?,
            description: r.get(5)?,
            size_bytes: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
            sha256: r.get(7)?,
            content_name: r.get(8)?,
            source: r.get(9)?,
            slices: r.get::<_, i64>(10)?.try_into().unwrap_or(0),
        },
    })
}

impl Store {
    pub fn insert_attachment(&self, a: &NewAttachment) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO attachments (transfer_id, reference, file_name, content_type, description, size_bytes, \
                 sha256, content_name, source, slices)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.transfer_id,
                a.reference,
                a.file_name,
                a.content_type,
                a.description,
                i64::try_from(a.size_bytes).unwrap_or(i64::MAX),
                a.sha256,
                a.content_name,
                a.source,
                i64::try_from(a.slices).unwrap_or(i64::MAX),
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// A transfer's attachments, in the order they were stored.
    pub fn attachment(&self, id: i64) -> Result<Option<Attachment>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row(
                "SELECT id, transfer_id, reference, file_name, content_type, description, size_bytes, sha256, \
                 content_name, source, slices FROM attachments WHERE id = ?1",
                [id],
                from_row,
            )
            .optional()?)
    }

    pub fn attachments(&self, transfer_id: i64) -> Result<Vec<Attachment>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, transfer_id, reference, file_name, content_type, description, size_bytes, sha256, \
             content_name, source, slices FROM attachments WHERE transfer_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([transfer_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Forgets a transfer's attachments (before they are stored again, assembled afresh).
    pub fn delete_attachments(&self, transfer_id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE documents SET attachment_id = NULL WHERE transfer_id = ?1",
            [transfer_id],
        )?;
        self.conn()
            .execute("DELETE FROM attachments WHERE transfer_id = ?1", [transfer_id])?;
        Ok(())
    }
}
