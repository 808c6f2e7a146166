-- The practice's registrations: the demographics its clinical system holds for each registered
-- patient, imported from an export (CSV) or the synthetic generator's registrations file. An
-- EhrExtract carries only the NHS number; transfers are matched to a registration on it.
CREATE TABLE registrations (
    nhs_number    TEXT PRIMARY KEY,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    -- YYYY-MM-DD
    date_of_birth TEXT,
    -- female | male | other | unknown
    sex           TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    postcode      TEXT NOT NULL DEFAULT '',
    practice_ods  TEXT,
    -- YYYY-MM-DD
    registered_on TEXT,
    imported_at   TEXT NOT NULL,
    -- The file it came from.
    source        TEXT NOT NULL
) WITHOUT ROWID;
