//! Users, roles and sign-in. Profiles are local to the records folder; a PIN is kept only as an
//! argon2 hash. The core checks the role of every action ([`Actor::require`]); the UI hides what a
//! user may not do, but never decides it.
//!
//! | may...                               | administrator | clinician | prescriber | trainer |
//! |--------------------------------------|:-:|:-:|:-:|:-:|
//! | view records, mark items reviewed    | ✓ | ✓ | ✓ | ✓ |
//! | integrate / reject (decide)          | ✓ | ✓ |   |   |
//! | mark a repeat to re-authorise        |   |   | ✓ |   |
//! | propose a recode                     |   | ✓ |   |   |
//! | manage users and settings            | ✓ |   |   |   |
//! | switch and reset training mode       | ✓ |   |   | ✓ |

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::dto::{NewUserRequest, Permissions, Role, UserUpdate, UserView};
use crate::{clock, Inbox, InboxError};

/// Wrong PINs in a row before a profile is locked for [`LOCKOUT_MINUTES`].
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
pub const LOCKOUT_MINUTES: i64 = 5;

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Clinician => "clinician",
            Role::Prescriber => "prescriber",
            Role::Trainer => "trainer",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "administrator" | "admin" => Role::Administrator,
            "clinician" => Role::Clinician,
            "prescriber" => Role::Prescriber,
            "trainer" => Role::Trainer,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Clinician => "clinician",
            Role::Prescriber => "prescriber",
            Role::Trainer => "trainer",
        }
    }
}

/// Something only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Decide,
    Reauthorise,
    Recode,
    Administer,
    Train,
}

impl Action {
    fn allowed(self, roles: &[Role]) -> bool {
        let has = |r| roles.contains(&r);
        match self {
            Action::Decide => has(Role::Administrator) || has(Role::Clinician),
            Action::Reauthorise => has(Role::Prescriber),
            Action::Recode => has(Role::Clinician),
            Action::Administer => has(Role::Administrator),
            Action::Train => has(Role::Trainer) || has(Role::Administrator),
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Action::Decide => "Only an administrator or a clinician can integrate or reject a record.",
            Action::Reauthorise => "Only a prescriber can re-authorise a repeat medication.",
            Action::Recode => "Only a clinician can propose a new code.",
            Action::Administer => "Only an administrator can change users and settings.",
            Action::Train => "Only a trainer or an administrator can switch or reset training mode.",
        }
    }
}

/// A signed-in user (or, on the command line, the user named by `--user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn may(&self, action: Action) -> bool {
        action.allowed(&self.roles)
    }

    /// `Forbidden` with the reason when the user's roles do not allow `action`.
    pub fn require(&self, action: Action) -> Result<(), InboxError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(InboxError::Forbidden(format!(
                "{} ({}): {}",
                self.name,
                self.role_label(),
                action.refusal()
            )))
        }
    }

    /// The roles as the audit trail records them: `clinician+prescriber`.
    pub fn role_label(&self) -> String {
        roles_code(&self.roles).replace(',', "+")
    }

    /// An audit entry of this user's, for writing inside the transaction of what it records.
    pub fn audit_entry(
        &self,
        at: String,
        action: &str,
        transfer_id: Option<i64>,
        detail: impl Into<String>,
    ) -> inbox_store::NewAuditEntry {
        inbox_store::NewAuditEntry {
            at,
            user_name: self.name.clone(),
            role: self.role_label(),
            action: action.to_owned(),
            transfer_id,
            detail: detail.into(),
        }
    }

    pub fn permissions(&self) -> Permissions {
        Permissions {
            decide: self.may(Action::Decide),
            reauthorise: self.may(Action::Reauthorise),
            recode: self.may(Action::Recode),
            administer: self.may(Action::Administer),
            train: self.may(Action::Train),
        }
    }
}

pub(crate) fn roles_code(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

pub(crate) fn parse_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(Role::from_code).collect()
}

fn view(u: inbox_store::User) -> UserView {
    UserView {
        id: u.id,
        name: u.fields.name,
        roles: parse_roles(&u.fields.roles),
        disabled: u.disabled,
        locked_until: u.locked_until,
    }
}

/// A PIN is 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), InboxError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(InboxError::InvalidInput("A PIN is 4 to 12 digits.".into()))
    }
}

/// The argon2id hash of a PIN, as a PHC string with its own random salt.
pub fn hash_pin(pin: &str) -> Result<String, InboxError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| InboxError::InvalidInput(format!("No random salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| InboxError::InvalidInput(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| InboxError::InvalidInput(format!("The PIN could not be hashed: {e}")))
}

fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

fn check_name(name: &str) -> Result<String, InboxError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(InboxError::InvalidInput(
            "A user's name is 1 to 60 characters, such as \"Dr Jane Smith\".".into(),
        ));
    }
    Ok(name)
}

fn check_roles(roles: &[Role]) -> Result<(), InboxError> {
    if roles.is_empty() {
        return Err(InboxError::InvalidInput("Choose at least one role.".into()));
    }
    Ok(())
}

impl Inbox {
    /// Every profile, by name.
    pub fn users(&self) -> Result<Vec<UserView>, InboxError> {
        Ok(self.store().users()?.into_iter().map(view).collect())
    }

    /// True until the first profile exists (the first one created is an administrator).
    pub fn needs_first_user(&self) -> Result<bool, InboxError> {
        Ok(self.store().count_users()? == 0)
    }

    /// Creates the first profile, as an administrator whatever else it is, and returns it signed in.
    /// Refused once any enabled profile exists.
    pub fn create_first_user(&self, req: &NewUserRequest) -> Result<Actor, InboxError> {
        if !self.needs_first_user()? {
            return Err(InboxError::Forbidden(
                "Users already exist: an administrator adds new ones in Settings.".into(),
            ));
        }
        let mut roles = req.roles.clone();
        roles.push(Role::Administrator);
        let user = self.insert_user(&req.name, &roles, &req.pin)?;
        let actor = actor_of(&user);
        self.audit(&actor, "user_created", None, "first administrator")?;
        self.audit(&actor, "sign_in", None, "")?;
        Ok(actor)
    }

    /// An administrator adds a profile.
    pub fn create_user(&self, by: &Actor, req: &NewUserRequest) -> Result<UserView, InboxError> {
        by.require(Action::Administer)?;
        let user = self.insert_user(&req.name, &req.roles, &req.pin)?;
        self.audit(
            by,
            "user_created",
            None,
            &format!("{} ({})", user.fields.name, user.fields.roles),
        )?;
        Ok(view(user))
    }

    /// Adds a profile without checks of who asks (first user, training profiles, the command line).
    pub(crate) fn insert_user(
        &self,
        name: &str,
        roles: &[Role],
        pin: &str,
    ) -> Result<inbox_store::User, InboxError> {
        let name = check_name(name)?;
        check_roles(roles)?;
        check_pin(pin)?;
        let new = inbox_store::NewUser {
            name: name.clone(),
            roles: roles_code(roles),
            pin_hash: hash_pin(pin)?,
            created_at: clock::rfc3339(self.clock().now()),
        };
        let store = self.store();
        let id = store
            .insert_user(&new)?
            .ok_or_else(|| InboxError::Conflict(format!("There is already a user called \"{name}\".")))?;
        Ok(store.user(id)?.expect("just inserted"))
    }

    /// An administrator changes a profile's roles, PIN, or disables it. An administrator cannot
    /// disable themselves or take away the last administrator.
    pub fn update_user(&self, by: &Actor, update: &UserUpdate) -> Result<UserView, InboxError> {
        by.require(Action::Administer)?;
        let user = self
            .store()
            .user(update.id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no user {}.", update.id)))?;
        let mut changes = Vec::new();
        if let Some(roles) = &update.roles {
            check_roles(roles)?;
            let losing_admin = !roles.contains(&Role::Administrator)
                && parse_roles(&user.fields.roles).contains(&Role::Administrator);
            if losing_admin && self.enabled_administrators()? <= 1 {
                return Err(InboxError::Conflict(
                    "This is the only administrator: make someone else an administrator first.".into(),
                ));
            }
            self.store().set_user_roles(user.id, &roles_code(roles))?;
            changes.push(format!("roles {}", roles_code(roles)));
        }
        if let Some(disabled) = update.disabled {
            if disabled && user.id == by.user_id {
                return Err(InboxError::Conflict(
                    "You cannot disable your own profile.".into(),
                ));
            }
            if disabled
                && parse_roles(&user.fields.roles).contains(&Role::Administrator)
                && self.enabled_administrators()? <= 1
            {
                return Err(InboxError::Conflict(
                    "This is the only administrator: make someone else an administrator first.".into(),
                ));
            }
            self.store().set_user_disabled(user.id, disabled)?;
            changes.push(if disabled {
                "disabled".into()
            } else {
                "enabled".into()
            });
        }
        if let Some(pin) = &update.pin {
            check_pin(pin)?;
            self.store().set_user_pin(user.id, &hash_pin(pin)?)?;
            changes.push("PIN reset".into());
        }
        self.audit(
            by,
            "user_changed",
            None,
            &format!("{}: {}", user.fields.name, changes.join(", ")),
        )?;
        let user = self.store().user(user.id)?.expect("exists");
        Ok(view(user))
    }

    fn enabled_administrators(&self) -> Result<usize, InboxError> {
        Ok(self
            .store()
            .users()?
            .iter()
            .filter(|u| !u.disabled && parse_roles(&u.fields.roles).contains(&Role::Administrator))
            .count())
    }

    /// Checks a PIN. Five wrong PINs in a row lock the profile for five minutes. Every attempt is
    /// audited.
    pub fn sign_in(&self, user_id: i64, pin: &str) -> Result<Actor, InboxError> {
        let now = self.clock().now();
        let user = self
            .store()
            .user(user_id)?
            .filter(|u| !u.disabled)
            .ok_or_else(|| InboxError::NotFound("That profile does not exist or is disabled.".into()))?;
        let roles = user.fields.roles.replace(',', "+");
        if let Some(until) = user
            .locked_until
            .as_deref()
            .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        {
            if until > now {
                return Err(InboxError::NotSignedIn(format!(
                    "Too many wrong PINs: {} can try again after {} minutes, or an administrator can reset the PIN.",
                    user.fields.name,
                    ((until - now).whole_seconds() + 59) / 60
                )));
            }
        }
        if verify_pin(&user.fields.pin_hash, pin) {
            self.store().record_sign_in_attempt(user.id, true, None)?;
            self.record_audit(&user.fields.name, &roles, "sign_in", None, "")?;
            return Ok(actor_of(&user));
        }
        let attempts = user.failed_attempts + 1;
        let lock = (attempts >= MAX_FAILED_ATTEMPTS)
            .then(|| clock::rfc3339(now + time::Duration::minutes(LOCKOUT_MINUTES)));
        self.store()
            .record_sign_in_attempt(user.id, false, lock.as_deref())?;
        self.record_audit(
            &user.fields.name,
            &roles,
            "sign_in_failed",
            None,
            &format!("wrong PIN ({attempts} in a row)"),
        )?;
        Err(InboxError::NotSignedIn(if lock.is_some() {
            format!(
                "Wrong PIN. {} is locked for {LOCKOUT_MINUTES} minutes.",
                user.fields.name
            )
        } else {
            "Wrong PIN.".into()
        }))
    }

    /// Signs in by profile name and PIN (the command line's `--user` and `--pin`): the same check,
    /// lock-out and audit as the sign-in screen.
    pub fn sign_in_by_name(&self, name: &str, pin: &str) -> Result<Actor, InboxError> {
        let user_id = self.actor_by_name(name)?.user_id;
        self.sign_in(user_id, pin)
    }

    /// The enabled profile of that name.
    pub fn actor_by_name(&self, name: &str) -> Result<Actor, InboxError> {
        let user = self
            .store()
            .user_by_name(name.trim())?
            .filter(|u| !u.disabled)
            .ok_or_else(|| {
                InboxError::NotFound(format!("There is no enabled user called \"{}\".", name.trim()))
            })?;
        Ok(actor_of(&user))
    }

    /// The profile behind a session, read again (roles may have changed, or it was disabled).
    pub fn actor(&self, user_id: i64) -> Result<Actor, InboxError> {
        let user = self
            .store()
            .user(user_id)?
            .filter(|u| !u.disabled)
            .ok_or_else(|| InboxError::NotSignedIn("That profile was disabled; sign in again.".into()))?;
        Ok(actor_of(&user))
    }

    /// Audits an action of a signed-in user, stamped with the clock.
    pub fn audit(
        &self,
        actor: &Actor,
        action: &str,
        transfer_id: Option<i64>,
        detail: &str,
    ) -> Result<(), InboxError> {
        let entry = actor.audit_entry(clock::rfc3339(self.clock().now()), action, transfer_id, detail);
        self.store().append_audit(&entry)?;
        Ok(())
    }

    /// Creates the training profiles (PIN [`crate::training::TRAINING_PIN`]) when there are none.
    pub(crate) fn ensure_training_users(&self) -> Result<(), InboxError> {
        if !self.store().users()?.is_empty() {
            return Ok(());
        }
        for (name, roles) in TRAINING_USERS {
            self.insert_user(name, roles, crate::training::TRAINING_PIN)?;
        }
        Ok(())
    }
}

/// Synthetic profiles of the training inbox, one per way of working.
const TRAINING_USERS: &[(&str, &[Role])] = &[
    ("Alex Admin", &[Role::Administrator]),
    ("Dr Chris Carter", &[Role::Clinician, Role::Prescriber]),
    ("Sam Nurse", &[Role::Clinician]),
    ("Pat Pharmacist", &[Role::Prescriber]),
    ("Terry Trainer", &[Role::Trainer, Role::Administrator]),
];

fn actor_of(u: &inbox_store::User) -> Actor {
    Actor {
        user_id: u.id,
        name: u.fields.name.clone(),
        roles: parse_roles(&u.fields.roles),
    }
}
