-- Every message that arrived and was read, with where its original bytes are kept.
CREATE TABLE transfers (
    id            INTEGER PRIMARY KEY,
    interaction   TEXT NOT NULL,
    message_id    TEXT,
    extract_id    TEXT,
    nhs_number    TEXT,
    sending_ods   TEXT,
    receiving_ods TEXT,
    -- HL7 timestamp as sent (variable precision, UK local time).
    sent_at       TEXT,
    -- RFC 3339, UTC.
    received_at   TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    size_bytes    INTEGER NOT NULL,
    -- Path of the original, relative to the archive folder.
    archive_name  TEXT NOT NULL,
    -- 'folder' (arrived in the watched folder) or 'sample' (a built-in sample record).
    origin        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'received'
);
CREATE INDEX transfers_nhs_number ON transfers (nhs_number);
CREATE INDEX transfers_received_at ON transfers (received_at);

-- Files that could not be read, kept aside with a plain-English reason.
CREATE TABLE quarantine (
    id              INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,
    -- Where the file now is, relative to the quarantine folder.
    quarantine_name TEXT NOT NULL UNIQUE,
    reason_code     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    quarantined_at  TEXT NOT NULL
);
