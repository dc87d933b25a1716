-- The raw layer: what the fetcher and the extractor saw, one row per thing, never edited by dbt.
CREATE SCHEMA IF NOT EXISTS raw;

-- One row per catalog entry per run: what was attempted and how it went. Runs older than the
-- newest 30 keep only their fetched, failed and cached rows (cnfiscal.warehouse.fetch_log).
-- No primary key: (run_id, source_id) is unique by construction.
CREATE TABLE IF NOT EXISTS raw.fetches (
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,      -- fetched | not_modified | cached | failed
    sha256        VARCHAR,
    size_bytes    BIGINT,
    http_status   INTEGER,
    etag          VARCHAR,
    last_modified VARCHAR,
    fetched_at    TIMESTAMPTZ NOT NULL,
    message       VARCHAR
);

-- One row per run: how many catalog entries it attempted and how each went.
CREATE TABLE IF NOT EXISTS raw.fetch_runs (
    run_id        VARCHAR PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,  -- its first fetch
    finished_at   TIMESTAMPTZ NOT NULL,
    attempted     BIGINT NOT NULL,
    fetched       BIGINT NOT NULL,
    not_modified  BIGINT NOT NULL,
    cached        BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    compacted_at  TIMESTAMPTZ            -- when its not_modified rows were dropped
);

-- One row per source ever attempted: the start of the first run that logged it. The duplicate
-- checks order copies by it; read from raw.fetches it was a scan of every night's log.
CREATE TABLE IF NOT EXISTS raw.source_first_seen (
    source_id     VARCHAR NOT NULL,      -- unique by construction (fetch_log.record)
    first_seen    TIMESTAMPTZ NOT NULL
);

-- One row per report version (a source whose content changed gets a new row).
-- The three report tables have no primary key (cnfiscal.warehouse.unkey says why): a report's
-- rows are replaced whole, in one transaction, by warehouse.load.replace_documents, which
-- refuses a batch naming a version twice; the staging models' dbt tests check the keys.
CREATE TABLE IF NOT EXISTS raw.documents (
    document_id    VARCHAR NOT NULL,     -- <source_id>@<sha256 prefix>; unique
    source_id      VARCHAR NOT NULL,
    location       VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT,
    format         VARCHAR,
    fetched_at     TIMESTAMPTZ NOT NULL,
    parsed_at      TIMESTAMPTZ NOT NULL,
    parser_version VARCHAR NOT NULL,
    agency         VARCHAR,
    region         VARCHAR,
    fiscal_year    INTEGER,
    doc_kind       VARCHAR,
    fact_count     INTEGER NOT NULL,
    error_count    INTEGER NOT NULL,
    status         VARCHAR NOT NULL DEFAULT 'loaded',  -- loaded | quarantined
    status_reason  VARCHAR,
    valid_from     TIMESTAMPTZ NOT NULL,
    valid_to       TIMESTAMPTZ,                          -- NULL while current
    is_current     BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.facts (
    document_id   VARCHAR NOT NULL,
    fact_seq      INTEGER NOT NULL,
    statement     VARCHAR NOT NULL,
    item          VARCHAR NOT NULL,
    scope         VARCHAR NOT NULL,
    basis         VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    measure       VARCHAR NOT NULL,
    value         DECIMAL(24, 6) NOT NULL,
    unit          VARCHAR NOT NULL,
    label         VARCHAR,
    compare_year  INTEGER,
    compare_basis VARCHAR,
    qualifier     VARCHAR,
    category      VARCHAR,
    code          VARCHAR,
    parent_code   VARCHAR,
    source        VARCHAR NOT NULL,      -- text | table
    char_start    INTEGER,
    char_end      INTEGER,
    evidence      VARCHAR,
    page          INTEGER,
    table_index   INTEGER,
    row_index     INTEGER,
    col_index     INTEGER,
    also_in       JSON,
    ocr_confidence DOUBLE               -- the OCR engine's confidence; NULL for a text layer
);                                      -- unique: (document_id, fact_seq)
-- warehouses built before OCR: the column comes last, where the loader's rows put it
ALTER TABLE raw.facts ADD COLUMN IF NOT EXISTS ocr_confidence DOUBLE;

CREATE TABLE IF NOT EXISTS raw.parse_issues (
    document_id VARCHAR NOT NULL,
    issue_seq   INTEGER NOT NULL,
    severity    VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    quote       VARCHAR,
    char_start  INTEGER,
    page        INTEGER
);                                      -- unique: (document_id, issue_seq)
