//! The `users` table: local user profiles who sign in with a PIN (kept as an argon2 hash).

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    /// Comma-separated roles (`administrator,clinician`).
    pub roles: String,
    /// An argon2 PHC string; never the PIN.
    pub pin_hash: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub fields: NewUser,
    pub disabled: bool,
    pub failed_attempts: u32,
    /// RFC 3339 UTC: sign-in is refused until then after too many wrong PINs.
    pub locked_until: Option<String>,
}

const COLUMNS: &str = "id, name, roles, pin_hash, created_at, disabled, failed_attempts, locked_until";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        fields: NewUser {
            name: r.get(1)?,
            roles: r.get(2)?,
            pin_hash: r.get(3)?,
            created_at: r.get(4)?,
        },
        disabled: r.get::<_, i64>(5)? != 0,
        failed_attempts: r.get::<_, i64>(6)?.try_into().unwrap_or(u32::MAX),
        locked_until: r.get(7)?,
    })
}

impl Store {
    /// Adds a user; `None` when the name is taken (names are unique, ignoring case).
    pub fn insert_user(&self, u: &NewUser) -> Result<Option<i64>> {
        let inserted = self.conn().execute(
            "INSERT INTO users (name, roles, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![u.name, u.roles, u.pin_hash, u.created_at],
        )?;
        Ok((inserted == 1).then(|| self.conn().last_insert_rowid()))
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// The user of that name, ignoring case.
    pub fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE name = ?1");
        Ok(self.conn().query_row(&sql, [name], from_row).optional()?)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users ORDER BY name COLLATE NOCASE");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn count_users(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM users WHERE disabled = 0", [], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }

    pub fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE users SET disabled = ?2 WHERE id = ?1",
            params![id, i64::from(disabled)],
        )?;
        Ok(n == 1)
    }

    pub fn set_user_roles(&self, id: i64, roles: &str) -> Result<bool> {
        let n = self
            .conn()
            .execute("UPDATE users SET roles = ?2 WHERE id = ?1", params![id, roles])?;
        Ok(n == 1)
    }

    /// A new PIN also clears wrong attempts and any lock.
    pub fn set_user_pin(&self, id: i64, pin_hash: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE users SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL WHERE id = ?1",
            params![id, pin_hash],
        )?;
        Ok(n == 1)
    }

    /// Records a sign-in attempt: a success clears the count, a failure adds one and may lock the
    /// profile until `lock_until`.
    pub fn record_sign_in_attempt(&self, id: i64, success: bool, lock_until: Option<&str>) -> Result<()> {
        if success {
            self.conn().execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?1",
                [id],
            )?;
        } else {
            self.conn().execute(
                "UPDATE users SET failed_attempts = failed_attempts + 1,
                     locked_until = coalesce(?2, locked_until) WHERE id = ?1",
                params![id, lock_until],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> NewUser {
        NewUser {
            name: name.into(),
            roles: "administrator".into(),
            pin_hash: "$argon2id$x".into(),
            created_at: "2026-11-21T10:00:00Z".into(),
        }
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let s = Store::open_in_memory().unwrap();
        let id = s.insert_user(&user("Ann Admin")).unwrap().unwrap();
        assert_eq!(s.insert_user(&user("ann admin")).unwrap(), None);
        assert_eq!(s.user_by_name("ANN ADMIN").unwrap().unwrap().id, id);
        assert_eq!(s.users().unwrap().len(), 1);
        assert_eq!(s.count_users().unwrap(), 1);
    }

    #[test]
    fn failed_attempts_count_and_a_new_pin_clears_them() {
        let s = Store::open_in_memory().unwrap();
        let id = s.insert_user(&user("Ann")).unwrap().unwrap();
        s.record_sign_in_attempt(id, false, None).unwrap();
        s.record_sign_in_attempt(id, false, Some("2026-11-21T10:05:00Z"))
            .unwrap();
        let u = s.user(id).unwrap().unwrap();
        assert_eq!(u.failed_attempts, 2);
        assert_eq!(u.locked_until.as_deref(), Some("2026-11-21T10:05:00Z"));
        s.set_user_pin(id, "$argon2id$y").unwrap();
        let u = s.user(id).unwrap().unwrap();
        assert_eq!((u.failed_attempts, u.locked_until), (0, None));
        assert!(s.set_user_disabled(id, true).unwrap());
        assert_eq!(s.count_users().unwrap(), 0);
        assert!(s.set_user_roles(id, "clinician,prescriber").unwrap());
        assert_eq!(s.user(id).unwrap().unwrap().fields.roles, "clinician,prescriber");
    }
}
