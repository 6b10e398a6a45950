-- The team store of sopcli: runs as hash-chained records, evidence by SHA-256, in PostgreSQL.
-- Run by `sop store init` (idempotent); the schema version is in sop.meta.
-- Append-only for every role: triggers refuse UPDATE, DELETE and TRUNCATE on records and evidence.
-- A record is bound to the session's login by the database: its acting person and recording login
-- must be current_user, and it must continue its run's chain (sequence number and previous hash).

CREATE SCHEMA IF NOT EXISTS sop;

DO $$ BEGIN CREATE ROLE sop_user NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE sop_admin NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT sop_user TO sop_admin;

CREATE TABLE IF NOT EXISTS sop.meta (
    key text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE IF NOT EXISTS sop.runs (
    id text PRIMARY KEY CHECK (id ~ '^[23456789abcdefghjkmnpqrstuvwxyz]{1,5}$'),
    sop text NOT NULL,
    created_by text NOT NULL DEFAULT current_user,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sop.records (
    run_id text NOT NULL REFERENCES sop.runs (id),
    seq integer NOT NULL CHECK (seq >= 1),
    prev text NOT NULL,
    hash text NOT NULL,
    body text NOT NULL,             -- the canonical JSON of the record without its hash: hash = sha256(body)
    doc text NOT NULL,              -- the same record as written (its mappings in their own order)
    actor text NOT NULL,
    login text NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE IF NOT EXISTS sop.blobs (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size >= 0),
    chunks integer NOT NULL CHECK (chunks >= 0),
    created_by text NOT NULL DEFAULT current_user
);

CREATE TABLE IF NOT EXISTS sop.chunks (
    sha256 text NOT NULL REFERENCES sop.blobs (sha256),
    n integer NOT NULL CHECK (n >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (sha256, n)
);

CREATE TABLE IF NOT EXISTS sop.summaries (
    run_id text PRIMARY KEY REFERENCES sop.runs (id),
    seq integer NOT NULL,
    head text NOT NULL,
    sop text NOT NULL,
    number text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    row jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS summaries_sop ON sop.summaries (sop, status);
CREATE INDEX IF NOT EXISTS summaries_started ON sop.summaries (started_at DESC);

CREATE TABLE IF NOT EXISTS sop.current (
    login text PRIMARY KEY DEFAULT current_user,
    run_id text NOT NULL REFERENCES sop.runs (id)
);
ALTER TABLE sop.current ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_row ON sop.current;
CREATE POLICY own_row ON sop.current USING (login = current_user) WITH CHECK (login = current_user);

CREATE OR REPLACE FUNCTION sop.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sop: % is append-only; % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION sop.migrating() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('sop.migrating', true), '') = 'on'
       AND pg_has_role(current_user, 'sop_admin', 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION sop.check_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    doc jsonb := NEW.body::jsonb;
    last_seq integer;
    last_hash text;
BEGIN
    IF NEW.hash <> encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'sop: the record''s hash is not the SHA-256 of its body' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.doc::jsonb IS DISTINCT FROM doc THEN
        RAISE EXCEPTION 'sop: the record as written differs from its canonical body' USING ERRCODE = 'check_violation';
    END IF;
    IF (doc->>'seq')::integer IS DISTINCT FROM NEW.seq OR doc->>'prev' IS DISTINCT FROM NEW.prev THEN
        RAISE EXCEPTION 'sop: the record''s body names another place in the chain' USING ERRCODE = 'check_violation';
    END IF;
    IF NOT sop.migrating() THEN
        IF doc->>'by' IS DISTINCT FROM current_user OR doc->>'login' IS DISTINCT FROM current_user THEN
            RAISE EXCEPTION 'sop: a record is written by its own login only (by % as %)', doc->>'by', current_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF coalesce((doc->'data'->>'forced')::boolean, false) AND NOT pg_has_role(current_user, 'sop_admin', 'MEMBER') THEN
            RAISE EXCEPTION 'sop: an override (--force) needs membership of sop_admin' USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    NEW.actor := doc->>'by';
    NEW.login := doc->>'login';
    SELECT seq, hash INTO last_seq, last_hash FROM sop.records WHERE run_id = NEW.run_id ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        IF NEW.seq <> 1 OR NEW.prev <> repeat('0', 64) THEN
            RAISE EXCEPTION 'sop: the first record of run % must begin its chain', NEW.run_id USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.seq <> last_seq + 1 OR NEW.prev <> last_hash THEN
        RAISE EXCEPTION 'sop: the record does not continue the chain of run %', NEW.run_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION sop.check_summary() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq integer;
    last_hash text;
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM sop.records WHERE run_id = NEW.run_id ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM last_seq OR NEW.head IS DISTINCT FROM last_hash THEN
        RAISE EXCEPTION 'sop: the summary of run % must vouch for its last record', NEW.run_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION sop.own_current() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.login := current_user;
    RETURN NEW;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['runs', 'records', 'blobs', 'chunks'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS append_only_rows ON sop.%I', t);
        EXECUTE format('CREATE TRIGGER append_only_rows BEFORE UPDATE OR DELETE ON sop.%I '
                       'FOR EACH ROW EXECUTE FUNCTION sop.append_only()', t);
        EXECUTE format('DROP TRIGGER IF EXISTS append_only_truncate ON sop.%I', t);
        EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON sop.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sop.append_only()', t);
    END LOOP;
END $$;

DROP TRIGGER IF EXISTS check_record ON sop.records;
CREATE TRIGGER check_record BEFORE INSERT ON sop.records FOR EACH ROW EXECUTE FUNCTION sop.check_record();
DROP TRIGGER IF EXISTS check_summary ON sop.summaries;
CREATE TRIGGER check_summary BEFORE INSERT OR UPDATE ON sop.summaries FOR EACH ROW EXECUTE FUNCTION sop.check_summary();
DROP TRIGGER IF EXISTS own_current ON sop.current;
CREATE TRIGGER own_current BEFORE INSERT OR UPDATE ON sop.current FOR EACH ROW EXECUTE FUNCTION sop.own_current();

REVOKE ALL ON SCHEMA sop FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA sop FROM PUBLIC;
GRANT USAGE ON SCHEMA sop TO sop_user;
GRANT SELECT ON sop.meta TO sop_user;
GRANT SELECT, INSERT ON sop.runs, sop.records, sop.blobs, sop.chunks TO sop_user;
GRANT SELECT, INSERT, UPDATE ON sop.summaries, sop.current TO sop_user;
GRANT EXECUTE ON FUNCTION sop.migrating() TO sop_user;
