-- Review and decision: who may sign in, what each reviewer marked, what they intend for the
-- integrated record, the one whole-record decision per transfer and what integration left to do.

-- Local user profiles. A PIN is kept only as an argon2 hash (PHC string).
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- Comma-separated: administrator, clinician, prescriber, trainer.
    roles           TEXT NOT NULL,
    pin_hash        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    -- Wrong PINs in a row; sign-in is refused until `locked_until` after too many.
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT
);

-- One mark per item of a review section: seen (reviewed) or flagged with a note. An item is
-- named by its section and a key stable for the stored record (`<table>:<seq>`).
CREATE TABLE review_marks (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    -- medications | allergies | degraded | attachments
    section     TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    -- reviewed | flagged
    state       TEXT NOT NULL,
    note        TEXT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT NOT NULL,
    PRIMARY KEY (transfer_id, section, item_key)
) WITHOUT ROWID;

-- What a reviewer intends for an item once the record is integrated: a prescriber re-authorises
-- a repeat; a clinician proposes a recode (SNOMED CT code and term).
CREATE TABLE intentions (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    section     TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    -- reauthorise | recode
    kind        TEXT NOT NULL,
    code        TEXT,
    term        TEXT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT NOT NULL,
    PRIMARY KEY (transfer_id, section, item_key, kind)
) WITHOUT ROWID;

-- The whole-record decision (at most one final one per transfer; deferrals are only audited).
CREATE TABLE decisions (
    id                     INTEGER PRIMARY KEY,
    transfer_id            INTEGER NOT NULL UNIQUE REFERENCES transfers (id),
    -- integrate | integrate_suppress_old | store_suppressed | reject
    kind                   TEXT NOT NULL,
    -- The GP2GP response code of a negative acknowledgement (28, 17, 15, 25...).
    reason_code            TEXT,
    note                   TEXT,
    -- NULL for a decision the system made (a duplicate's AE 12).
    user_id                INTEGER REFERENCES users (id),
    decided_at             TEXT NOT NULL,
    -- The earlier transfer of a returning patient that integration suppressed.
    suppressed_transfer_id INTEGER REFERENCES transfers (id)
);

-- Acknowledgements written to the outbox.
CREATE TABLE acks_sent (
    id              INTEGER PRIMARY KEY,
    -- The transfer acknowledged (for a duplicate: the transfer it repeats).
    transfer_id     INTEGER REFERENCES transfers (id),
    -- The message acknowledged (the extract's message; for a duplicate, its own message).
    message_id      INTEGER NOT NULL REFERENCES messages (id),
    -- AA | AE | AR
    ack_type        TEXT NOT NULL,
    reason_code     TEXT,
    -- The ack's own HL7 id, and the id its messageRef names.
    ack_message_id  TEXT NOT NULL UNIQUE,
    message_ref     TEXT NOT NULL,
    -- File name in the outbox folder.
    file_name       TEXT NOT NULL,
    -- The ack exactly as sent, kept in the archive (content-addressed, GP2GP S63): the outbox is
    -- emptied by the messaging adaptor.
    archive_name    TEXT NOT NULL,
    written_at      TEXT NOT NULL
);
CREATE INDEX acks_sent_transfer ON acks_sent (transfer_id);
CREATE UNIQUE INDEX acks_sent_message ON acks_sent (message_id);

-- What integration left to do, item by item: the next issue's worklists.
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    -- reauthorise | recode | chase_attachment | prescribing_lock
    kind        TEXT NOT NULL,
    section     TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    -- What the item is, in words (drug, term, file name).
    title       TEXT NOT NULL,
    -- open | done (a prescriber re-authorised it during review)
    state       TEXT NOT NULL,
    -- The reviewer's intention or flag note carried over: a proposed code and term, a note.
    code        TEXT,
    term        TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (transfer_id, kind, item_key)
);
CREATE INDEX followups_kind ON followups (kind, state);

-- The review reads a record's degraded entries by the entry they belong to.
CREATE INDEX degraded_entries_entry ON degraded_entries (transfer_id, entry_seq);

-- Which conversation made an AbsentAttachment placeholder (its `<ODS>:<ConversationID>` line):
-- only placeholders this transfer created need chasing (S86).
ALTER TABLE documents ADD COLUMN placeholder_conversation TEXT;
