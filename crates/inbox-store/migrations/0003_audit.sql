-- The audit trail: who did what, when, to which transfer. Append-only (the triggers refuse UPDATE
-- and DELETE) and hash-chained: each entry's `hash` covers its fields and the previous entry's
-- hash, so that an edit, a deletion or an insertion anywhere but the end is detected by
-- `Store::verify_audit`. AUTOINCREMENT: ids are never reused, so a missing id is a gap.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- RFC 3339, UTC.
    at          TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    -- administrator | clinician | prescriber | trainer | system
    role        TEXT NOT NULL,
    -- sign_in | sign_out | view_record | review_mark | decision | export | settings | ...
    action      TEXT NOT NULL,
    -- No foreign key: the trail outlives what it speaks of.
    transfer_id INTEGER,
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_transfer ON audit (transfer_id);
CREATE INDEX audit_at ON audit (at);

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
