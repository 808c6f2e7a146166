//! Embedded, ordered schema migrations, tracked in SQLite's `user_version`.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// Every migration, in order. Never edit one that has shipped; add the next.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_transfers.sql"),
    include_str!("../migrations/0002_pipeline.sql"),
    include_str!("../migrations/0003_audit.sql"),
    include_str!("../migrations/0004_registrations.sql"),
    include_str!("../migrations/0005_review.sql"),
];

pub(crate) fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies the migrations this database lacks, all in one transaction.
pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}
