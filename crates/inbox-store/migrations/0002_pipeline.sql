-- The durable pipeline and the parsed record.
--
-- arrivals   every input file, once: what became of it (the conservation ledger).
-- messages   every GP2GP message kept, original archived by SHA-256, grouped by conversation.
-- transfers  one patient record (EhrExtract) per row, with its status and counts.
-- The record itself (compositions, entries, codings, medication courses and issues, allergies,
-- problems, degraded entries, documents, attachments, diagnostics) in tables the screens query.
--
-- Times: `*_at` columns are RFC 3339 UTC when the source gave a time of day (converted from UK
-- local time), or `YYYY`, `YYYY-MM`, `YYYY-MM-DD` when it gave only a date; `*_precision` says
-- which (`year` ... `second`, `fraction`, `unreadable`), and `*_raw` keeps the HL7 value where it
-- matters.

ALTER TABLE transfers RENAME TO transfers_v1;
DROP INDEX transfers_nhs_number;
DROP INDEX transfers_received_at;

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    -- eb:ConversationId, upper-case; NULL for bare HL7 without an envelope.
    conversation_id  TEXT,
    interaction      TEXT NOT NULL,
    -- extract | request | acknowledgement | continue | fragment_index | fragment
    role             TEXT NOT NULL,
    -- eb:MessageId (what a `mid:` reference names), upper-case.
    ebxml_message_id TEXT,
    hl7_message_id   TEXT,
    from_ods         TEXT,
    to_ods           TEXT,
    sent_at          TEXT,
    sent_precision   TEXT,
    sent_raw         TEXT,
    received_at      TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    sha256           TEXT NOT NULL UNIQUE,
    size_bytes       INTEGER NOT NULL,
    -- Path of the original, relative to the archive folder.
    archive_name     TEXT NOT NULL,
    -- The patient record this message belongs to, once known.
    transfer_id      INTEGER REFERENCES transfers (id),
    -- Acknowledgements: AA / AE / AR, the message acknowledged, reason codes (comma-separated).
    ack_type         TEXT,
    ack_message_ref  TEXT,
    ack_reasons      TEXT,
    -- Requests: whose record is asked for.
    nhs_number       TEXT
);
CREATE INDEX messages_conversation ON messages (conversation_id);
CREATE INDEX messages_ebxml_id ON messages (ebxml_message_id);
CREATE INDEX messages_transfer ON messages (transfer_id);

CREATE TABLE transfers (
    id                 INTEGER PRIMARY KEY,
    conversation_id    TEXT,
    -- The message carrying the EhrExtract.
    message_id         INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    interaction        TEXT NOT NULL,
    extract_id         TEXT,
    nhs_number         TEXT,
    sending_ods        TEXT,
    receiving_ods      TEXT,
    sent_at            TEXT,
    sent_precision     TEXT,
    sent_raw           TEXT,
    received_at        TEXT NOT NULL,
    file_name          TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL,
    -- folder | endpoint | command_line | sample
    origin             TEXT NOT NULL,
    -- awaiting_attachments | ready | incomplete
    status             TEXT NOT NULL,
    status_at          TEXT NOT NULL,
    -- Large-message parts still awaited (awaiting_attachments), or never received (incomplete).
    parts_expected     INTEGER NOT NULL DEFAULT 0,
    parts_missing      INTEGER NOT NULL DEFAULT 0,
    -- The GP2GP response code the negative acknowledgement will carry (25, 29, 30, 31), in words too.
    failure_code       TEXT,
    failure_reason     TEXT,
    -- The reader's version of the record tables; older rows are read again from the archive.
    record_version     INTEGER NOT NULL DEFAULT 0,
    compositions       INTEGER NOT NULL DEFAULT 0,
    medication_courses INTEGER NOT NULL DEFAULT 0,
    acute_courses      INTEGER NOT NULL DEFAULT 0,
    repeat_courses     INTEGER NOT NULL DEFAULT 0,
    issues             INTEGER NOT NULL DEFAULT 0,
    discontinuations   INTEGER NOT NULL DEFAULT 0,
    allergies          INTEGER NOT NULL DEFAULT 0,
    drug_allergies     INTEGER NOT NULL DEFAULT 0,
    non_drug_allergies INTEGER NOT NULL DEFAULT 0,
    problems           INTEGER NOT NULL DEFAULT 0,
    degraded           INTEGER NOT NULL DEFAULT 0,
    documents          INTEGER NOT NULL DEFAULT 0,
    absent_attachments INTEGER NOT NULL DEFAULT 0,
    nopat              INTEGER NOT NULL DEFAULT 0,
    error_diagnostics  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transfers_nhs_number ON transfers (nhs_number);
CREATE INDEX transfers_received_at ON transfers (received_at);
CREATE INDEX transfers_conversation ON transfers (conversation_id);
CREATE INDEX transfers_extract_id ON transfers (extract_id);

CREATE TABLE arrivals (
    id            INTEGER PRIMARY KEY,
    -- The file's name in processing/ while it is handled: unique for every arrival ever.
    claim_name    TEXT NOT NULL UNIQUE,
    -- The name it arrived with.
    file_name     TEXT NOT NULL,
    -- folder | endpoint | command_line | sample
    source        TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    -- stored | duplicate | awaiting | quarantined
    outcome       TEXT NOT NULL,
    -- The message stored (or, for a duplicate of the same bytes, the one repeated).
    message_id    INTEGER REFERENCES messages (id),
    transfer_id   INTEGER REFERENCES transfers (id),
    quarantine_id INTEGER REFERENCES quarantine (id),
    -- Why a duplicate is one, in plain English.
    detail        TEXT
);
CREATE INDEX arrivals_sha256 ON arrivals (sha256);

-- Rows of the first version: each message becomes a message (and an arrival); each extract a
-- transfer whose record is read again from the archive at the next start (record_version 0).
INSERT INTO messages (id, interaction, role, hl7_message_id, from_ods, to_ods, sent_raw, received_at,
                      file_name, sha256, size_bytes, archive_name, nhs_number)
SELECT id, interaction,
       CASE interaction
           WHEN 'RCMR_IN010000UK05' THEN 'request'
           WHEN 'MCCI_IN010000UK13' THEN 'acknowledgement'
           WHEN 'COPC_IN000001UK01' THEN 'fragment'
           ELSE 'extract' END,
       message_id, sending_ods, receiving_ods, sent_at, received_at, file_name, sha256, size_bytes,
       archive_name, nhs_number
FROM transfers_v1;

INSERT INTO transfers (id, message_id, interaction, extract_id, nhs_number, sending_ods, receiving_ods,
                       sent_raw, received_at, file_name, size_bytes, origin, status, status_at)
SELECT id, id, interaction, extract_id, nhs_number, sending_ods, receiving_ods, sent_at, received_at,
       file_name, size_bytes, origin, 'ready', received_at
FROM transfers_v1
WHERE interaction NOT IN ('RCMR_IN010000UK05', 'MCCI_IN010000UK13', 'COPC_IN000001UK01');

UPDATE messages SET transfer_id = id WHERE role = 'extract';

-- One arrival per file, stored or quarantined, numbered in the order the files arrived (arrivals
-- are listed by id, oldest first).
INSERT INTO arrivals (claim_name, file_name, source, received_at, sha256, size_bytes, outcome, message_id,
                      transfer_id, quarantine_id)
SELECT claim_name, file_name, source, received_at, sha256, size_bytes, outcome, message_id, transfer_id,
       quarantine_id
FROM (
    SELECT 'v1-' || id AS claim_name, file_name, origin AS source, received_at, sha256, size_bytes,
           'stored' AS outcome, id AS message_id,
           CASE WHEN interaction IN ('RCMR_IN010000UK05', 'MCCI_IN010000UK13', 'COPC_IN000001UK01')
                THEN NULL ELSE id END AS transfer_id,
           NULL AS quarantine_id, 0 AS kind, id
    FROM transfers_v1
    UNION ALL
    SELECT 'v1-q' || id, file_name, 'folder', quarantined_at, sha256, size_bytes, 'quarantined', NULL, NULL,
           id, 1, id
    FROM quarantine
)
ORDER BY received_at, kind, id;

DROP TABLE transfers_v1;

-- The parsed record. `seq` is the position in the reader's arenas (statements, courses...), so
-- rows refer to each other by (transfer_id, seq) without extra look-ups.

CREATE TABLE compositions (
    transfer_id         INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    hl7_id              TEXT,
    -- consultation | non_consultation | non_consultation_medication | suppressed | skeleton
    record_type         TEXT NOT NULL,
    code                TEXT,
    code_system         TEXT,
    term                TEXT,
    status              TEXT,
    effective_at        TEXT,
    effective_precision TEXT,
    available_at        TEXT,
    available_precision TEXT,
    authored_at         TEXT,
    authored_precision  TEXT,
    author              TEXT,
    location            TEXT,
    replaces            TEXT,
    nopat               INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

CREATE TABLE entries (
    transfer_id         INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    composition_seq     INTEGER,
    parent_seq          INTEGER,
    -- observation | narrative | plan | request | registration | compound | medication | link_set | ehr_empty
    kind                TEXT NOT NULL,
    hl7_id              TEXT,
    code                TEXT,
    code_system         TEXT,
    term                TEXT,
    snomed_code         TEXT,
    status              TEXT,
    effective_at        TEXT,
    effective_precision TEXT,
    available_at        TEXT,
    available_precision TEXT,
    value               TEXT,
    text                TEXT,
    -- Annotations joined by blank lines.
    notes               TEXT,
    nopat               INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

-- Every code of every coded element, verbatim: position 0 is the main code, then translations.
CREATE TABLE codings (
    transfer_id   INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    entry_seq     INTEGER NOT NULL,
    -- code | value | drug
    site          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    code          TEXT,
    code_system   TEXT,
    display_name  TEXT,
    original_text TEXT,
    null_flavor   TEXT,
    PRIMARY KEY (transfer_id, entry_seq, site, position)
) WITHOUT ROWID;

CREATE TABLE medication_courses (
    transfer_id            INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq                    INTEGER NOT NULL,
    entry_seq              INTEGER NOT NULL,
    hl7_id                 TEXT,
    -- acute | repeat
    kind                   TEXT NOT NULL,
    -- active | completed | stopped | unknown
    status                 TEXT NOT NULL,
    repeats_authorised     INTEGER,
    start_at               TEXT,
    start_precision        TEXT,
    expiry_at              TEXT,
    expiry_precision       TEXT,
    quantity               TEXT,
    quantity_unit          TEXT,
    drug_code              TEXT,
    drug_code_system       TEXT,
    drug_snomed            TEXT,
    drug_term              TEXT,
    dosage                 TEXT,
    prescription_type      TEXT,
    issue_count            INTEGER NOT NULL,
    last_issue_at          TEXT,
    last_issue_precision   TEXT,
    discontinued_at        TEXT,
    discontinued_precision TEXT,
    discontinuation_reason TEXT,
    predecessor            TEXT,
    nopat                  INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

CREATE TABLE medication_issues (
    transfer_id     INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    course_seq      INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    hl7_id          TEXT,
    issued_at       TEXT,
    issued_precision TEXT,
    quantity        TEXT,
    quantity_unit   TEXT,
    PRIMARY KEY (transfer_id, course_seq, seq)
) WITHOUT ROWID;

CREATE TABLE allergies (
    transfer_id     INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    entry_seq       INTEGER NOT NULL,
    -- drug | non_drug | possible
    kind            TEXT NOT NULL,
    code            TEXT,
    code_system     TEXT,
    term            TEXT,
    allergen_code   TEXT,
    allergen_term   TEXT,
    reaction        TEXT,
    notes           TEXT,
    onset_at        TEXT,
    onset_precision TEXT,
    degraded        INTEGER NOT NULL,
    nopat           INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

CREATE TABLE problems (
    transfer_id     INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    entry_seq       INTEGER NOT NULL,
    hl7_id          TEXT,
    -- active | inactive | unspecified
    status          TEXT NOT NULL,
    significance    TEXT,
    named_entry_seq INTEGER,
    code            TEXT,
    code_system     TEXT,
    term            TEXT,
    onset_at        TEXT,
    onset_precision TEXT,
    end_at          TEXT,
    end_precision   TEXT,
    linked_entries  INTEGER NOT NULL,
    nopat           INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

CREATE TABLE problem_links (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    problem_seq INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    hl7_id      TEXT NOT NULL,
    -- NULL when the linked entry is not in the record.
    entry_seq   INTEGER,
    PRIMARY KEY (transfer_id, problem_seq, position)
) WITHOUT ROWID;

-- Entries whose code did not survive the transfer (`kind` from the reader: degraded kinds, or
-- `no_snomed` for a coded entry with no SNOMED CT code at all).
CREATE TABLE degraded_entries (
    transfer_id   INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    entry_seq     INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    site          TEXT NOT NULL,
    degraded_code TEXT,
    original_term TEXT,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

-- Files stored with a transfer; content on disk under attachments/, named by SHA-256.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    transfer_id  INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    -- The manifest reference (`cid:...`, `mid:...`) or content id.
    reference    TEXT,
    file_name    TEXT,
    content_type TEXT,
    description  TEXT,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_name TEXT NOT NULL,
    -- inline (carried in the core) | large_message (assembled from COPC parts)
    source       TEXT NOT NULL,
    slices       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX attachments_transfer ON attachments (transfer_id);

CREATE TABLE documents (
    transfer_id                INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    seq                        INTEGER NOT NULL,
    entry_seq                  INTEGER NOT NULL,
    hl7_id                     TEXT,
    title                      TEXT,
    code                       TEXT,
    term                       TEXT,
    media_type                 TEXT,
    link                       TEXT,
    file_name                  TEXT,
    nopat                      INTEGER NOT NULL,
    skeleton                   INTEGER NOT NULL,
    -- An AbsentAttachment placeholder stands in for the file.
    absent                     INTEGER NOT NULL,
    placeholder_reason_code    TEXT,
    placeholder_reason_text    TEXT,
    placeholder_original_name  TEXT,
    placeholder_ods            TEXT,
    -- The stored file, when it arrived.
    attachment_id              INTEGER REFERENCES attachments (id),
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;

CREATE TABLE diagnostics (
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    seq         INTEGER NOT NULL,
    -- error | warning | info
    severity    TEXT NOT NULL,
    message     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;
