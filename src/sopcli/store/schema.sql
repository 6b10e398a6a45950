-- The team store of sopcli: runs as hash-chained records, evidence by SHA-256, in PostgreSQL.
-- Run by `sop store init` (idempotent; it upgrades a store of schema 1 in place); the version is in sop.meta.
--
-- Who acts is the session's login (session_user): a role taken on with SET ROLE or `options=-c role=...`
-- changes nothing about whose name a record carries.
-- Ordinary logins (members of sop_user) may read every table, but write only through the SECURITY DEFINER
-- functions at the end (sop.append_record, sop.put_summary, sop.put_chunk, sop.seal_blob, sop.import_run).
-- Triggers check whatever is written, whoever writes it:
--   * a record must be in the form sop writes (canonical JSON, known type, every field of the right type,
--     times within 1970-2199), continue its run's chain, be in the session's own login's name, and fit the
--     run's state (a completion of a pass that is open, an undo of the last completion, ...), so that no
--     record the database accepts is one that sop would call damage;
--   * a summary must vouch for the run's last record and agree with what its records say;
--   * a blob becomes visible only once its chunks are all there and hash to its SHA-256;
--   * records, runs, blobs and chunks refuse UPDATE, DELETE and TRUNCATE for every role.
-- Errors raised here begin with `sop.<code>:` and carry their particulars as JSON in DETAIL; sop translates
-- them by code.

CREATE SCHEMA IF NOT EXISTS sop;

-- The roles are made once (by a login with CREATEROLE); the owner of the database can upgrade without it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sop_user') THEN
        CREATE ROLE sop_user NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sop_admin') THEN
        CREATE ROLE sop_admin NOLOGIN;
    END IF;
    IF NOT pg_has_role('sop_admin', 'sop_user', 'MEMBER') THEN
        GRANT sop_user TO sop_admin;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- another init made them at the same moment
END $$;

-- ------------------------------------------------------------------ tables

CREATE TABLE IF NOT EXISTS sop.meta (
    key text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE IF NOT EXISTS sop.runs (
    id text PRIMARY KEY CHECK (id ~ '^[23456789abcdefghjkmnpqrstuvwxyz]{1,5}$'),
    sop text NOT NULL,
    created_by text NOT NULL DEFAULT session_user,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE sop.runs ADD COLUMN IF NOT EXISTS migrated_by text;  -- the login that copied the run in

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
ALTER TABLE sop.records ADD COLUMN IF NOT EXISTS written_by text;   -- the session's login (null: schema 1)
ALTER TABLE sop.records ADD COLUMN IF NOT EXISTS migrated_by text;  -- the login that copied it in, if any

CREATE TABLE IF NOT EXISTS sop.blobs (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size >= 0),
    chunks integer NOT NULL CHECK (chunks >= 0),
    created_by text NOT NULL DEFAULT session_user
);
-- Each upload keeps its chunks apart (a transaction's own id); the blob names the upload that proved whole.
ALTER TABLE sop.blobs ADD COLUMN IF NOT EXISTS upload text NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS sop.chunks (
    sha256 text NOT NULL,
    upload text NOT NULL DEFAULT '',
    n integer NOT NULL CHECK (n >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (sha256, upload, n)
);
ALTER TABLE sop.chunks ADD COLUMN IF NOT EXISTS upload text NOT NULL DEFAULT '';
DO $$
BEGIN
    -- schema 1: chunks keyed by (sha256, n) and bound to an existing blob row
    ALTER TABLE sop.chunks DROP CONSTRAINT IF EXISTS chunks_sha256_fkey;
    IF (SELECT array_agg(a.attname::text ORDER BY k.ord)
          FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY k(attnum, ord), pg_attribute a
         WHERE c.conname = 'chunks_pkey' AND c.conrelid = 'sop.chunks'::regclass
           AND a.attrelid = c.conrelid AND a.attnum = k.attnum) IS DISTINCT FROM ARRAY['sha256', 'upload', 'n'] THEN
        ALTER TABLE sop.chunks DROP CONSTRAINT IF EXISTS chunks_pkey;
        ALTER TABLE sop.chunks ADD PRIMARY KEY (sha256, upload, n);
    END IF;
END $$;

-- Blobs of schema 1 whose chunks did not hash to their SHA-256, set aside by the upgrade (nothing is lost:
-- their chunks stay in sop.chunks); attaching the file again stores it whole.
CREATE TABLE IF NOT EXISTS sop.damaged_blobs (
    sha256 text NOT NULL,
    size bigint NOT NULL,
    chunks integer NOT NULL,
    upload text NOT NULL,
    created_by text NOT NULL,
    set_aside_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE sop.damaged_blobs ADD COLUMN IF NOT EXISTS set_aside_by text;  -- null: by the upgrade from schema 1

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

-- What the records of a run add up to (as far as the database checks them), kept by the record trigger.
CREATE TABLE IF NOT EXISTS sop.states (
    run_id text PRIMARY KEY REFERENCES sop.runs (id),
    seq integer NOT NULL,
    head text NOT NULL,
    state jsonb NOT NULL
);

CREATE TABLE IF NOT EXISTS sop.current (
    login text PRIMARY KEY DEFAULT session_user,
    run_id text NOT NULL REFERENCES sop.runs (id)
);
ALTER TABLE sop.current ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_row ON sop.current;
CREATE POLICY own_row ON sop.current USING (login = session_user) WITH CHECK (login = session_user);

DROP FUNCTION IF EXISTS sop.migrating();  -- schema 1's bypass for any single record: gone

-- ------------------------------------------------------------------ refusals

CREATE OR REPLACE FUNCTION sop.refuse(code text, state text, detail jsonb, message text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'sop.' || code || ': ' || message, ERRCODE = state,
        DETAIL = coalesce(detail, '{}'::jsonb)::text;
END $$;

CREATE OR REPLACE FUNCTION sop.append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sop.refuse('append_only', '42501', jsonb_build_object('table', TG_TABLE_NAME, 'op', TG_OP),
                       format('%s is append-only; %s is refused', TG_TABLE_NAME, TG_OP));
    RETURN NULL;
END $$;

-- ------------------------------------------------------------------ the form of a record

-- A JSON value as Python's json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":")) writes
-- it, or an error where it holds what such a dump cannot: a number beyond 10^15 (or a float below 10^-4),
-- nesting deeper than 40. A record's body must be exactly this of itself: then Python reads it back as the
-- same values, and finds the same hash.
CREATE OR REPLACE FUNCTION sop.canonical(j jsonb, depth integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    out text;
BEGIN
    IF depth > 40 OR (depth = 40 AND j NOT IN ('{}', '[]') AND jsonb_typeof(j) IN ('object', 'array')) THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'depth'), 'nested too deeply');
    END IF;
    CASE jsonb_typeof(j)
        WHEN 'object' THEN
            SELECT string_agg(to_json(k)::text || ':' || CASE jsonb_typeof(v)
                                  WHEN 'object' THEN sop.canonical(v, depth + 1)
                                  WHEN 'array' THEN sop.canonical(v, depth + 1)
                                  WHEN 'number' THEN sop.number(v)
                                  ELSE v::text END, ',' ORDER BY k COLLATE "C")
              INTO out FROM jsonb_each(j) AS e(k, v);
            RETURN '{' || coalesce(out, '') || '}';
        WHEN 'array' THEN
            SELECT string_agg(CASE jsonb_typeof(v)
                                  WHEN 'object' THEN sop.canonical(v, depth + 1)
                                  WHEN 'array' THEN sop.canonical(v, depth + 1)
                                  WHEN 'number' THEN sop.number(v)
                                  ELSE v::text END, ',' ORDER BY i)
              INTO out FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, i);
            RETURN '[' || coalesce(out, '') || ']';
        WHEN 'number' THEN
            RETURN sop.number(j);
        ELSE
            RETURN j::text;  -- strings escaped as Python escapes them; true, false, null
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION sop.number(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    token text := j::text;
    number float8;
BEGIN
    IF token ~ '^-?[0-9]{1,15}$' THEN
        RETURN token;  -- an integer (written with a fraction or an exponent, it would not be one)
    END IF;
    number := token::float8;
    IF token ~ '^-?[0-9]+$' OR (number <> 0 AND (abs(number) >= 1e15 OR abs(number) < 1e-4)) THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'form'), 'a number out of range');
    END IF;
    token := number::text;  -- the shortest text that reads back as the same float, as Python's repr
    RETURN CASE WHEN token ~ '^-?[0-9]+$' THEN token || '.0' ELSE token END;
END $$;

CREATE OR REPLACE FUNCTION sop.is_int(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(jsonb_typeof(v) = 'number' AND v::text ~ '^-?[0-9]{1,15}$', false)
$$;

CREATE OR REPLACE FUNCTION sop.is_str(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(jsonb_typeof(v) = 'string', false)
$$;

CREATE OR REPLACE FUNCTION sop.is_opt_str(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT v IS NULL OR jsonb_typeof(v) IN ('string', 'null')
$$;

CREATE OR REPLACE FUNCTION sop.is_opt_bool(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT v IS NULL OR jsonb_typeof(v) IN ('boolean', 'null')
$$;

CREATE OR REPLACE FUNCTION sop.is_strings(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(jsonb_typeof(v) = 'array'
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) <> 'string'), false)
$$;

-- A time as sop writes it (ISO 8601 with seconds and an offset, which Python's datetime.fromisoformat reads
-- the same way) in the years 1970-2199 as written.
CREATE OR REPLACE FUNCTION sop.is_time(v jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    text_ text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) <> 'string' THEN
        RETURN false;
    END IF;
    text_ := v #>> '{}';
    IF text_ !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?[+-](0[0-9]|1[0-5]):[0-5][0-9]$'
       OR substr(text_, 1, 4)::integer NOT BETWEEN 1970 AND 2199 THEN
        RETURN false;
    END IF;
    PERFORM make_date(substr(text_, 1, 4)::integer, substr(text_, 6, 2)::integer, substr(text_, 9, 2)::integer);
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END $$;

CREATE OR REPLACE FUNCTION sop.is_opt_time(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT v IS NULL OR jsonb_typeof(v) = 'null' OR sop.is_time(v)
$$;

CREATE OR REPLACE FUNCTION sop.is_files(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(jsonb_typeof(v) = 'array' AND NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements(v) f
         WHERE NOT (jsonb_typeof(f) = 'object' AND sop.is_str(f->'name') AND sop.is_str(f->'sha256')
                    AND f->>'sha256' ~ '^[0-9a-f]{64}$' AND sop.is_int(f->'size') AND (f->>'size')::bigint >= 0)), false)
$$;

-- What is wrong with the shape of one record (as records.shape_problem says it in sop), or null.
CREATE OR REPLACE FUNCTION sop.record_problem(r jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind text;
    data jsonb;
    key text;
    required text[];
    ok boolean;
BEGIN
    IF jsonb_typeof(r) IS DISTINCT FROM 'object' THEN
        RETURN jsonb_build_object('problem', 'record');
    END IF;
    IF r ? 'hash' THEN
        RETURN jsonb_build_object('problem', 'field', 'key', 'hash');
    END IF;
    FOREACH key IN ARRAY ARRAY['seq', 'prev', 'type', 'at', 'recorded_at', 'by', 'login', 'data'] LOOP
        ok := CASE key
            WHEN 'seq' THEN sop.is_int(r->key)
            WHEN 'prev' THEN sop.is_str(r->key)
            WHEN 'type' THEN r->>key IN ('start', 'done', 'undo', 'attach', 'note', 'assign', 'cancel')
                             AND sop.is_str(r->key)
            WHEN 'at' THEN sop.is_time(r->key)
            WHEN 'recorded_at' THEN sop.is_time(r->key)
            WHEN 'by' THEN sop.is_str(r->key)
            WHEN 'login' THEN sop.is_opt_str(r->key)
            WHEN 'data' THEN coalesce(jsonb_typeof(r->key) = 'object', false)
        END;
        IF NOT coalesce(ok, false) THEN
            RETURN jsonb_build_object('problem', 'field', 'key', key);
        END IF;
    END LOOP;
    kind := r->>'type';
    data := r->'data';
    required := CASE kind
        WHEN 'start' THEN ARRAY['run', 'sop']
        WHEN 'done' THEN ARRAY['step', 'pass', 'target']
        WHEN 'undo' THEN ARRAY['undoes', 'step']
        WHEN 'attach' THEN ARRAY['step', 'pass', 'kind', 'files']
        WHEN 'note' THEN ARRAY['step', 'text']
        WHEN 'assign' THEN ARRAY['actor']
        WHEN 'cancel' THEN ARRAY['reason']
    END;
    FOREACH key IN ARRAY required LOOP
        IF NOT data ? key THEN
            RETURN jsonb_build_object('problem', 'missing', 'kind', kind, 'key', key);
        END IF;
    END LOOP;
    FOR key IN SELECT jsonb_object_keys(data) LOOP
        ok := CASE kind || '.' || key
            WHEN 'start.run' THEN sop.is_str(data->key)
            WHEN 'start.sop' THEN jsonb_typeof(data->key) = 'object'
            WHEN 'start.closed' THEN jsonb_typeof(data->key) = 'null' OR sop.is_strings(data->key)
            WHEN 'start.title' THEN sop.is_opt_str(data->key)
            WHEN 'start.assignments' THEN jsonb_typeof(data->key) = 'null' OR (jsonb_typeof(data->key) = 'object'
                AND NOT EXISTS (SELECT 1 FROM jsonb_each(data->key) a WHERE jsonb_typeof(a.value) <> 'string'))
            WHEN 'start.holidays' THEN jsonb_typeof(data->key) IN ('null', 'object')
            WHEN 'done.step' THEN sop.is_int(data->key)
            WHEN 'done.pass' THEN sop.is_int(data->key)
            WHEN 'done.lane' THEN sop.is_opt_str(data->key)
            WHEN 'done.target' THEN jsonb_typeof(data->key) = 'null' OR data->>key = 'end' OR sop.is_int(data->key)
            WHEN 'done.outcome' THEN sop.is_opt_str(data->key)
            WHEN 'done.forced' THEN sop.is_opt_bool(data->key)
            WHEN 'done.note' THEN sop.is_opt_str(data->key)
            -- null where a list belongs passes sop's shape check but not its fold: refused here
            WHEN 'done.outputs' THEN sop.is_files(data->key)
            WHEN 'done.inputs' THEN sop.is_files(data->key)
            WHEN 'undo.undoes' THEN sop.is_int(data->key)
            WHEN 'undo.step' THEN sop.is_int(data->key)
            WHEN 'undo.lane' THEN sop.is_opt_str(data->key)
            WHEN 'undo.forced' THEN sop.is_opt_bool(data->key)
            WHEN 'attach.step' THEN sop.is_int(data->key)
            WHEN 'attach.pass' THEN sop.is_int(data->key)
            WHEN 'attach.kind' THEN data->>key IN ('input', 'output') AND sop.is_str(data->key)
            WHEN 'attach.files' THEN sop.is_files(data->key)
            WHEN 'attach.forced' THEN sop.is_opt_bool(data->key)
            WHEN 'note.step' THEN sop.is_int(data->key)
            WHEN 'note.text' THEN sop.is_str(data->key)
            WHEN 'assign.actor' THEN sop.is_str(data->key)
            WHEN 'assign.person' THEN sop.is_opt_str(data->key)
            WHEN 'cancel.reason' THEN sop.is_str(data->key)
            ELSE true
        END;
        IF NOT coalesce(ok, false) THEN
            RETURN jsonb_build_object('problem', 'invalid', 'kind', kind, 'key', key);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

-- A name of the tz database (Area/Location, or one word such as UTC), never a POSIX rule such as UTC+7,
-- which PostgreSQL takes and Python's zoneinfo does not.
CREATE OR REPLACE FUNCTION sop.is_zone(name text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF name !~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$' OR name ~* '^(posix|right)(/|rules$)' OR name ~* '^localtime$' THEN
        RETURN false;
    END IF;
    PERFORM now() AT TIME ZONE name;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
    RETURN false;
END $$;

-- What is wrong with the SOP a run starts from (the part of it that folding the run reads), or null.
CREATE OR REPLACE FUNCTION sop.snapshot_problem(d jsonb) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cal jsonb := d->'calendar';
    step jsonb;
    numbers text[];
    target jsonb;
BEGIN
    IF NOT (sop.is_str(d->'id') AND sop.is_str(d->'number') AND sop.is_str(d->'title')) THEN
        RETURN 'sop';
    END IF;
    IF jsonb_typeof(d->'actors') IS DISTINCT FROM 'array' OR jsonb_array_length(d->'actors') = 0
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(d->'actors') a
                   WHERE NOT (jsonb_typeof(a) = 'object' AND sop.is_str(a->'id') AND sop.is_str(a->'name'))) THEN
        RETURN 'actors';
    END IF;
    IF jsonb_typeof(d->'steps') IS DISTINCT FROM 'array' OR jsonb_array_length(d->'steps') = 0
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(d->'steps') s
                   WHERE jsonb_typeof(s) <> 'object' OR NOT sop.is_int(s->'no')) THEN
        RETURN 'steps';
    END IF;
    SELECT array_agg(s->>'no') INTO numbers FROM jsonb_array_elements(d->'steps') s;
    IF (SELECT count(DISTINCT x) FROM unnest(numbers) x) <> cardinality(numbers) THEN
        RETURN 'steps';
    END IF;
    FOR step IN SELECT jsonb_array_elements(d->'steps') LOOP
        IF NOT (sop.is_str(step->'activity')
                -- sop folds `actors` when it is there and not empty, else `actor`
                AND (CASE WHEN step->'actors' IS NULL OR step->'actors' IN ('null', '[]')
                          THEN sop.is_str(step->'actor')
                          ELSE sop.is_strings(step->'actors') END)
                AND (step->'together' IS NULL OR jsonb_typeof(step->'together') = 'null'
                     OR step->>'together' IN ('any', 'all'))
                AND (step->'requires' IS NULL OR jsonb_typeof(step->'requires') = 'null' OR sop.is_strings(step->'requires'))
                AND (step->'output' IS NULL OR jsonb_typeof(step->'output') = 'null' OR sop.is_strings(step->'output'))
                AND sop.is_opt_str(step->'time') AND sop.is_opt_str(step->'note')
                AND (step->'standard_minutes' IS NULL OR jsonb_typeof(step->'standard_minutes') = 'null'
                     OR (jsonb_typeof(step->'standard_minutes') = 'number'
                         AND (step->>'standard_minutes')::numeric BETWEEN 0 AND 1e9))
                AND (step->'time_with' IS NULL OR jsonb_typeof(step->'time_with') = 'null' OR sop.is_int(step->'time_with'))
                AND (step->'outcomes' IS NULL OR jsonb_typeof(step->'outcomes') IN ('null', 'object'))) THEN
            RETURN 'steps';
        END IF;
        FOR target IN
            SELECT step->'next' WHERE step->'next' IS NOT NULL AND jsonb_typeof(step->'next') <> 'null'
            UNION ALL
            SELECT o.value FROM jsonb_each(CASE WHEN jsonb_typeof(step->'outcomes') = 'object'
                                                THEN step->'outcomes' ELSE '{}' END) o
        LOOP
            IF NOT (target = '"end"' OR (sop.is_int(target) AND target::text = ANY (numbers))) THEN
                RETURN 'steps';
            END IF;
        END LOOP;
    END LOOP;
    IF cal IS NOT NULL AND jsonb_typeof(cal) <> 'null' THEN  -- (timezone: see sop.is_zone)
        IF jsonb_typeof(cal) <> 'object' THEN
            RETURN 'calendar';
        END IF;
        IF cal ? 'timezone' AND NOT (sop.is_str(cal->'timezone') AND sop.is_zone(cal->>'timezone')) THEN
            RETURN 'calendar';
        END IF;
        IF cal ? 'workdays' AND NOT (sop.is_strings(cal->'workdays') AND NOT EXISTS (
               SELECT 1 FROM jsonb_array_elements_text(cal->'workdays') w
                WHERE w NOT IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'))) THEN
            RETURN 'calendar';
        END IF;
        IF cal ? 'hours' AND NOT (sop.is_strings(cal->'hours') AND NOT EXISTS (
               SELECT 1 FROM jsonb_array_elements_text(cal->'hours') h
                WHERE h !~ '^\s*([01]?[0-9]|2[0-4])[:.]([0-5][0-9])\s*-\s*([01]?[0-9]|2[0-4])[:.]([0-5][0-9])\s*$')) THEN
            RETURN 'calendar';
        END IF;
        IF cal ? 'mode' AND NOT (cal->>'mode' IN ('working', 'continuous') AND sop.is_str(cal->'mode')) THEN
            RETURN 'calendar';
        END IF;
        IF cal ? 'days_off' AND NOT (sop.is_strings(cal->'days_off')) THEN
            RETURN 'calendar';
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- ------------------------------------------------------------------ the state a run's records add up to

CREATE OR REPLACE FUNCTION sop.rule(what text, r jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sop.refuse('rule', '23514', jsonb_build_object('rule', what, 'seq', r->'seq', 'type', r->'type'),
                       format('record %s (%s) does not fit the run: %s', r->>'seq', r->>'type', what));
END $$;

-- The state after the start record `r` of run `run`.
CREATE OR REPLACE FUNCTION sop.begin_state(run text, r jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    data jsonb := r->'data';
    doc jsonb := r->'data'->'sop';
    problem text;
    steps jsonb := '{}';
    step jsonb;
    first text;
BEGIN
    IF data->>'run' IS DISTINCT FROM run THEN
        PERFORM sop.rule('run', r);
    END IF;
    problem := sop.snapshot_problem(doc);
    IF problem IS NOT NULL THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'invalid', 'kind', 'start', 'key', 'sop'),
                           format('the SOP of the start record is not one sop writes (%s)', problem));
    END IF;
    IF data ? 'closed' AND jsonb_typeof(data->'closed') = 'array' AND EXISTS (
           SELECT 1 FROM jsonb_array_elements_text(data->'closed') c WHERE c !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'invalid', 'kind', 'start', 'key', 'closed'),
                           'a closed day is not a date');
    END IF;
    FOR step IN SELECT jsonb_array_elements(doc->'steps') LOOP
        first := coalesce(first, step->>'no');
        steps := steps || jsonb_build_object(step->>'no', jsonb_build_object(
            'actors', CASE WHEN step->'actors' IS NULL OR step->'actors' IN ('null', '[]')
                           THEN jsonb_build_array(step->'actor') ELSE step->'actors' END,
            'passes', '[]'::jsonb));
    END LOOP;
    steps := jsonb_set(steps, ARRAY[first, 'passes'],
                       jsonb_build_array(jsonb_build_object('at', r->'at', 'done', NULL, 'parts', '[]'::jsonb, 'files', 0)));
    RETURN jsonb_build_object(
        'run', run,
        'status', 'active',
        'sop', doc->'id',
        'number', doc->'number',
        'title', CASE WHEN coalesce(data->>'title', '') <> '' THEN data->'title' ELSE doc->'title' END,
        'timezone', coalesce(doc->'calendar'->'timezone', '"Asia/Jakarta"'),
        'started_at', r->'at',
        'started_by', r->'by',
        'finished_at', NULL,
        'actors', (SELECT coalesce(jsonb_agg(a->'id'), '[]') FROM jsonb_array_elements(doc->'actors') a),
        'order', (SELECT jsonb_agg((s->>'no')::integer) FROM jsonb_array_elements(doc->'steps') s),
        'assignments', coalesce(CASE WHEN jsonb_typeof(data->'assignments') = 'object' THEN data->'assignments' END, '{}'),
        'steps', steps,
        'completions', '[]'::jsonb,
        'seq', r->'seq');
END $$;

-- The state after one more record `r`, refusing a record that does not fit: whatever the database accepts,
-- sop can fold (a completion of an open pass in one of its lanes, an undo of the last completion, nothing
-- after a cancellation, only an undo after completion).
CREATE OR REPLACE FUNCTION sop.apply(s jsonb, r jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind text := r->>'type';
    data jsonb := r->'data';
    no text := data->>'step';
    step jsonb;
    passes integer;
    pass jsonb;
    lane text;
    target jsonb;
    last jsonb;
    files integer;
BEGIN
    IF kind = 'start' THEN
        PERFORM sop.rule('start', r);
    END IF;
    IF s->>'status' = 'cancelled' OR (s->>'status' = 'completed' AND kind <> 'undo') THEN
        PERFORM sop.rule('closed', r);
    END IF;
    IF kind IN ('done', 'attach', 'note') THEN
        step := s->'steps'->no;
        IF step IS NULL THEN
            PERFORM sop.rule('step', r);
        END IF;
        passes := jsonb_array_length(step->'passes');
    END IF;
    IF kind = 'done' THEN
        IF passes = 0 OR (data->>'pass')::bigint <> passes - 1 THEN
            PERFORM sop.rule('pass', r);
        END IF;
        pass := step->'passes'->(passes - 1);
        IF jsonb_typeof(pass->'done') <> 'null' THEN
            PERFORM sop.rule('pass', r);
        END IF;
        lane := CASE WHEN coalesce(data->>'lane', '') <> '' THEN data->>'lane' ELSE step->'actors'->>0 END;
        IF NOT step->'actors' ? lane OR EXISTS (SELECT 1 FROM jsonb_array_elements(pass->'parts') p WHERE p->>'lane' = lane) THEN
            PERFORM sop.rule('lane', r);
        END IF;
        target := data->'target';
        IF sop.is_int(target) THEN
            IF NOT s->'steps' ? (target::text) THEN
                PERFORM sop.rule('target', r);
            END IF;
            IF target::text <> no AND jsonb_array_length(s->'steps'->(target::text)->'passes') > 0
               AND jsonb_typeof(s->'steps'->(target::text)->'passes'->-1->'done') = 'null' THEN
                PERFORM sop.rule('target', r);  -- the work would be in two places at once
            END IF;
        END IF;
        files := coalesce(jsonb_array_length(data->'outputs'), 0) + coalesce(jsonb_array_length(data->'inputs'), 0);
        pass := jsonb_set(pass, '{parts}', (pass->'parts') || jsonb_build_array(jsonb_build_object(
            'lane', lane, 'by', r->'by', 'forced', coalesce(data->'forced' = 'true', false))));
        pass := jsonb_set(pass, '{files}', to_jsonb((pass->>'files')::integer + files));
        s := jsonb_set(s, '{completions}', (s->'completions') || jsonb_build_array(jsonb_build_object(
            'seq', r->'seq', 'step', data->'step', 'pass', passes - 1, 'target', target)));
        IF jsonb_typeof(target) <> 'null' THEN
            pass := jsonb_set(pass, '{done}', r->'at');
        END IF;
        s := jsonb_set(s, ARRAY['steps', no, 'passes', (passes - 1)::text], pass);
        IF target = '"end"' THEN
            s := jsonb_set(jsonb_set(s, '{status}', '"completed"'), '{finished_at}', r->'at');
        ELSIF jsonb_typeof(target) = 'number' THEN
            s := jsonb_set(s, ARRAY['steps', target::text, 'passes'], (s->'steps'->(target::text)->'passes')
                 || jsonb_build_array(jsonb_build_object('at', r->'at', 'done', NULL, 'parts', '[]'::jsonb, 'files', 0)));
        END IF;
    ELSIF kind = 'undo' THEN
        IF jsonb_array_length(s->'completions') = 0 THEN
            PERFORM sop.rule('undo', r);
        END IF;
        last := s->'completions'->-1;
        IF data->'undoes' IS DISTINCT FROM last->'seq' OR (data->>'step')::bigint IS DISTINCT FROM (last->>'step')::bigint THEN
            PERFORM sop.rule('undo', r);
        END IF;
        target := last->'target';
        IF target = '"end"' THEN
            s := jsonb_set(jsonb_set(s, '{status}', '"active"'), '{finished_at}', 'null');
        ELSIF jsonb_typeof(target) = 'number' THEN
            pass := s->'steps'->(target::text)->'passes'->-1;
            IF jsonb_array_length(pass->'parts') > 0 OR (pass->>'files')::integer > 0 THEN
                PERFORM sop.rule('undo', r);  -- it would orphan what was recorded since
            END IF;
            s := jsonb_set(s, ARRAY['steps', target::text, 'passes'], (s->'steps'->(target::text)->'passes') - -1);
        END IF;
        pass := s->'steps'->(last->>'step')->'passes'->((last->>'pass')::integer);
        pass := jsonb_set(jsonb_set(pass, '{parts}', (pass->'parts') - -1), '{done}', 'null');
        s := jsonb_set(s, ARRAY['steps', last->>'step', 'passes', last->>'pass'], pass);
        s := jsonb_set(s, '{completions}', (s->'completions') - -1);
    ELSIF kind = 'attach' THEN
        IF passes = 0 OR (data->>'pass')::bigint <> passes - 1 THEN
            PERFORM sop.rule('pass', r);
        END IF;
        s := jsonb_set(s, ARRAY['steps', no, 'passes', (passes - 1)::text, 'files'],
                       to_jsonb((step->'passes'->(passes - 1)->>'files')::integer + jsonb_array_length(data->'files')));
    ELSIF kind = 'assign' THEN
        IF NOT s->'actors' ? (data->>'actor') THEN
            PERFORM sop.rule('lane', r);
        END IF;
        IF coalesce(data->>'person', '') <> '' THEN
            s := jsonb_set(s, ARRAY['assignments', data->>'actor'], data->'person');
        ELSE
            s := jsonb_set(s, '{assignments}', (s->'assignments') - (data->>'actor'));
        END IF;
    ELSIF kind = 'cancel' THEN
        s := jsonb_set(jsonb_set(s, '{status}', '"cancelled"'), '{finished_at}', r->'at');
    END IF;
    RETURN jsonb_set(s, '{seq}', r->'seq');
END $$;

-- The state of a run after its last record: kept by the record trigger, else folded from the records.
-- A run whose stored records do not fold (written before schema 2) is refused as damaged.
CREATE OR REPLACE FUNCTION sop.run_state(run text) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kept record;
    last_seq integer;
    last_hash text;
    s jsonb;
    rec record;
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM sop.records WHERE run_id = run ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT seq, head, state INTO kept FROM sop.states WHERE run_id = run;
    IF FOUND AND kept.seq = last_seq AND kept.head = last_hash THEN
        RETURN kept.state;
    END IF;
    BEGIN
        FOR rec IN SELECT seq, body::jsonb AS r FROM sop.records WHERE run_id = run ORDER BY seq LOOP
            IF sop.record_problem(rec.r) IS NOT NULL OR (rec.r->>'seq')::integer IS DISTINCT FROM rec.seq THEN
                RAISE EXCEPTION 'damaged' USING ERRCODE = '23514';
            END IF;
            s := CASE WHEN rec.seq = 1 THEN sop.begin_state(run, rec.r) ELSE sop.apply(s, rec.r) END;
        END LOOP;
    EXCEPTION WHEN check_violation OR data_exception OR program_limit_exceeded OR statement_too_complex THEN
        PERFORM sop.refuse('damaged', '23514', jsonb_build_object('run', run),
                           format('the records of run %s do not make a run', run));
    END;
    RETURN s;
END $$;

-- ------------------------------------------------------------------ the record trigger

CREATE OR REPLACE FUNCTION sop.check_record() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r jsonb;
    problem jsonb;
    last_seq integer;
    last_hash text;
    s jsonb;
    importing boolean;
    person text := session_user;
BEGIN
    -- sop reads a record's values from its body (its doc gives only the order of its mappings)
    BEGIN
        IF sop.canonical(NEW.body::jsonb, 1) IS DISTINCT FROM NEW.body OR NEW.doc::jsonb IS DISTINCT FROM NEW.body::jsonb THEN
            PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'form'),
                               'the record is not in the canonical form sop writes');
        END IF;
    EXCEPTION WHEN data_exception OR program_limit_exceeded OR statement_too_complex THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'form'), 'the record is not JSON sop writes');
    END;
    IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex') THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'hash'),
                           'the record''s hash is not the SHA-256 of its body');
    END IF;
    r := NEW.body::jsonb;
    problem := sop.record_problem(r);
    IF problem IS NOT NULL THEN
        PERFORM sop.refuse('shape', '23514', problem || jsonb_build_object('seq', r->'seq'),
                           format('the record is not of a shape sop writes (%s)', problem::text));
    END IF;
    IF (r->>'seq')::integer IS DISTINCT FROM NEW.seq OR r->>'prev' IS DISTINCT FROM NEW.prev THEN
        PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', NEW.run_id),
                           'the record''s body names another place in the chain');
    END IF;

    -- who: the session's own login; a copy of a whole run is let in only as described in sop.import_run
    importing := NEW.migrated_by IS NOT NULL;
    IF importing THEN
        IF NEW.migrated_by IS DISTINCT FROM person OR NOT EXISTS (
               SELECT 1 FROM sop.runs WHERE id = NEW.run_id AND migrated_by = person
                  AND xmin = pg_current_xact_id()::xid) THEN
            PERFORM sop.refuse('import', '42501', jsonb_build_object('run', NEW.run_id, 'login', person),
                               'a copied record belongs to a whole run copied in this transaction');
        END IF;
    ELSE
        IF r->>'by' IS DISTINCT FROM person OR r->>'login' IS DISTINCT FROM person THEN
            PERFORM sop.refuse('identity', '42501',
                               jsonb_build_object('by', r->'by', 'login', r->'login', 'session', person),
                               format('a record is written by its own login only (by %s, login %s, session %s)',
                                      r->>'by', r->>'login', person));
        END IF;
        IF coalesce(r->'data'->'forced' = 'true', false) AND NOT pg_has_role(person, 'sop_admin', 'MEMBER') THEN
            PERFORM sop.refuse('force', '42501', jsonb_build_object('login', person),
                               'an override (--force) needs membership of sop_admin');
        END IF;
    END IF;

    -- where: the next place in the run's chain, one writer at a time
    PERFORM pg_advisory_xact_lock(hashtextextended('sop.run.' || NEW.run_id, 0));
    SELECT seq, hash INTO last_seq, last_hash FROM sop.records WHERE run_id = NEW.run_id ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        IF NEW.seq <> 1 OR NEW.prev <> repeat('0', 64) THEN
            PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', NEW.run_id),
                               format('the first record of run %s must begin its chain', NEW.run_id));
        END IF;
    ELSIF NEW.seq <> last_seq + 1 OR NEW.prev <> last_hash THEN
        PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', NEW.run_id),
                           format('the record does not continue the chain of run %s', NEW.run_id));
    END IF;

    -- what: a record that fits the run's state
    IF NEW.seq = 1 THEN
        IF r->>'type' <> 'start' THEN
            PERFORM sop.rule('start', r);
        END IF;
        s := sop.begin_state(NEW.run_id, r);
    ELSE
        s := sop.apply(sop.run_state(NEW.run_id), r);
    END IF;
    INSERT INTO sop.states (run_id, seq, head, state) VALUES (NEW.run_id, NEW.seq, NEW.hash, s)
        ON CONFLICT (run_id) DO UPDATE SET seq = EXCLUDED.seq, head = EXCLUDED.head, state = EXCLUDED.state;

    NEW.actor := r->>'by';
    NEW.login := coalesce(r->>'login', '');
    NEW.written_by := person;
    RETURN NEW;
END $$;

-- A run is made together with its first record, never bare.
CREATE OR REPLACE FUNCTION sop.check_run() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sop.records WHERE run_id = NEW.id AND seq = 1) THEN
        PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', NEW.id),
                           format('run %s has no first record', NEW.id));
    END IF;
    RETURN NULL;
END $$;

-- ------------------------------------------------------------------ summaries

-- What is wrong with a summary row (its shape, or where it disagrees with its run's records), or null.
CREATE OR REPLACE FUNCTION sop.summary_problem(row_ jsonb) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    run text := row_->>'id';
    s jsonb;
    last_seq integer;
    last_hash text;
    item jsonb;
    i integer := 0;
    step jsonb;
    expected jsonb;
    people jsonb;
BEGIN
    IF jsonb_typeof(row_) IS DISTINCT FROM 'object' OR NOT sop.is_str(row_->'id') THEN
        RETURN 'shape';
    END IF;
    IF NOT (sop.is_int(row_->'seq') AND sop.is_str(row_->'head') AND sop.is_str(row_->'sop')
            AND sop.is_str(row_->'number') AND sop.is_str(row_->'title') AND sop.is_str(row_->'started_by')
            AND row_->>'status' IN ('active', 'completed', 'cancelled') AND sop.is_time(row_->'started_at')
            AND sop.is_opt_time(row_->'finished_at') AND sop.is_str(row_->'timezone')
            AND (jsonb_typeof(row_->'active_step') = 'null' OR sop.is_int(row_->'active_step'))
            AND sop.is_strings(row_->'people')
            AND jsonb_typeof(row_->'assignments') = 'object'
            AND NOT EXISTS (SELECT 1 FROM jsonb_each(row_->'assignments') a WHERE jsonb_typeof(a.value) <> 'string')
            AND jsonb_typeof(row_->'steps') = 'array') THEN
        RETURN 'shape';
    END IF;
    FOR step IN SELECT jsonb_array_elements(row_->'steps') LOOP
        IF NOT (jsonb_typeof(step) = 'object' AND sop.is_int(step->'no') AND sop.is_int(step->'requires')
                AND coalesce(jsonb_typeof(step->'standard_minutes'), 'x') IN ('null', 'number')
                AND coalesce(jsonb_typeof(step->'group_standard_minutes'), 'x') IN ('null', 'number')
                AND coalesce(jsonb_typeof(step->'elapsed_minutes'), 'x') IN ('null', 'number')
                AND coalesce(jsonb_typeof(step->'overrun_minutes'), 'x') IN ('null', 'number')
                AND coalesce(jsonb_typeof(step->'on_time'), 'x') IN ('null', 'boolean')
                AND jsonb_typeof(step->'passes') = 'array'
                AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(step->'passes') p
                                 WHERE NOT (jsonb_typeof(p) = 'array' AND jsonb_array_length(p) >= 5
                                            AND sop.is_time(p->0) AND sop.is_opt_time(p->1)
                                            AND coalesce(jsonb_typeof(p->2), 'x') IN ('null', 'number')
                                            AND jsonb_typeof(p->3) = 'boolean' AND jsonb_typeof(p->4) = 'boolean'))) THEN
            RETURN 'shape';
        END IF;
    END LOOP;
    IF row_ ? 'active' AND NOT (jsonb_typeof(row_->'active') = 'object' AND sop.is_int(row_->'active'->'step')
            AND sop.is_str(row_->'active'->'activity') AND sop.is_strings(row_->'active'->'actors')
            AND sop.is_strings(row_->'active'->'open') AND sop.is_opt_time(row_->'active'->'since')
            AND coalesce(jsonb_typeof(row_->'active'->'standard_minutes'), 'x') IN ('null', 'number')
            AND sop.is_opt_time(row_->'active'->'due_at')) THEN
        RETURN 'shape';
    END IF;
    IF NOT sop.json_sane(row_, 1) THEN
        RETURN 'shape';
    END IF;

    SELECT seq, hash INTO last_seq, last_hash FROM sop.records WHERE run_id = run ORDER BY seq DESC LIMIT 1;
    IF (row_->>'seq')::integer IS DISTINCT FROM last_seq OR row_->>'head' IS DISTINCT FROM last_hash THEN
        RETURN 'head';
    END IF;
    s := sop.run_state(run);
    IF row_->'sop' IS DISTINCT FROM s->'sop' OR row_->'number' IS DISTINCT FROM s->'number'
       OR row_->'title' IS DISTINCT FROM s->'title' OR row_->'status' IS DISTINCT FROM s->'status'
       OR row_->'started_by' IS DISTINCT FROM s->'started_by' OR row_->'timezone' IS DISTINCT FROM s->'timezone'
       OR row_->'assignments' IS DISTINCT FROM s->'assignments'
       OR (row_->>'started_at')::timestamptz IS DISTINCT FROM (s->>'started_at')::timestamptz
       OR (row_->>'finished_at')::timestamptz IS DISTINCT FROM (s->>'finished_at')::timestamptz THEN
        RETURN 'run';
    END IF;
    -- the steps in the SOP's order, each with its passes: when they began and ended
    IF jsonb_array_length(row_->'steps') <> jsonb_array_length(s->'order') THEN
        RETURN 'steps';
    END IF;
    people := jsonb_build_array(s->'started_by');
    FOR step IN SELECT jsonb_array_elements(row_->'steps') LOOP
        IF (step->>'no')::integer <> (s->'order'->>i)::integer THEN
            RETURN 'steps';
        END IF;
        expected := s->'steps'->(step->>'no')->'passes';
        IF jsonb_array_length(step->'passes') <> jsonb_array_length(expected) THEN
            RETURN 'steps';
        END IF;
        FOR item IN SELECT jsonb_array_elements(expected) LOOP
            people := people || coalesce((SELECT jsonb_agg(p->'by') FROM jsonb_array_elements(item->'parts') p), '[]');
        END LOOP;
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(step->'passes') WITH ORDINALITY AS got(p, k)
                    WHERE (p->>0)::timestamptz IS DISTINCT FROM (expected->(k::integer - 1)->>'at')::timestamptz
                       OR (p->>1)::timestamptz IS DISTINCT FROM (expected->(k::integer - 1)->>'done')::timestamptz) THEN
            RETURN 'steps';
        END IF;
        i := i + 1;
    END LOOP;
    people := people || coalesce((SELECT jsonb_agg(a.value) FROM jsonb_each(s->'assignments') a), '[]');
    IF (SELECT jsonb_agg(DISTINCT p ORDER BY p) FROM jsonb_array_elements(people) p)
       IS DISTINCT FROM (SELECT jsonb_agg(DISTINCT p ORDER BY p) FROM jsonb_array_elements(row_->'people') p) THEN
        RETURN 'people';
    END IF;
    -- the active step: the one whose last pass is open, while the run is active
    SELECT to_jsonb(n) INTO expected FROM jsonb_array_elements_text(s->'order') WITH ORDINALITY AS o(n, k)
     WHERE s->>'status' = 'active' AND jsonb_array_length(s->'steps'->n->'passes') > 0
       AND jsonb_typeof(s->'steps'->n->'passes'->-1->'done') = 'null'
     ORDER BY k LIMIT 1;
    IF (row_->>'active_step')::integer IS DISTINCT FROM (expected #>> '{}')::integer
       OR (row_->'active'->>'step')::integer IS DISTINCT FROM (expected #>> '{}')::integer THEN
        RETURN 'active';
    END IF;
    RETURN NULL;
END $$;

-- Every number within what Python reads back as it was written, and no nesting deeper than sop writes.
CREATE OR REPLACE FUNCTION sop.json_sane(j jsonb, depth integer) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF depth > 40 THEN
        RETURN false;
    END IF;
    CASE jsonb_typeof(j)
        WHEN 'object' THEN
            RETURN NOT EXISTS (SELECT 1 FROM jsonb_each(j) e WHERE NOT sop.json_sane(e.value, depth + 1));
        WHEN 'array' THEN
            RETURN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(j) e WHERE NOT sop.json_sane(e, depth + 1));
        WHEN 'number' THEN
            RETURN abs((j #>> '{}')::numeric) < 1e15;
        ELSE
            RETURN true;
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION sop.check_summary() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    problem text;
BEGIN
    IF NEW.row->>'id' IS DISTINCT FROM NEW.run_id THEN
        problem := 'shape';
    ELSE
        problem := sop.summary_problem(NEW.row);
    END IF;
    IF problem IS NOT NULL THEN
        PERFORM sop.refuse('summary', '23514', jsonb_build_object('run', NEW.run_id, 'problem', problem),
                           format('the summary of run %s does not agree with its records (%s)', NEW.run_id, problem));
    END IF;
    -- the columns are the row's own, never a second opinion
    NEW.seq := (NEW.row->>'seq')::integer;
    NEW.head := NEW.row->>'head';
    NEW.sop := NEW.row->>'sop';
    NEW.number := NEW.row->>'number';
    NEW.status := NEW.row->>'status';
    NEW.started_at := (NEW.row->>'started_at')::timestamptz;
    NEW.finished_at := (NEW.row->>'finished_at')::timestamptz;
    RETURN NEW;
END $$;

-- ------------------------------------------------------------------ blobs

-- A blob row must name an upload whose chunks are all there, in order, and add up to its size; up to 64 MiB the
-- database also hashes them (as one value, in memory). A larger file is hashed by the client that sends it and
-- by every `sop verify`, chunk after chunk: hashing it here would hold all of it in the server's memory at once
-- (and past 1 GiB no single value can hold it).
CREATE OR REPLACE FUNCTION sop.blob_problem(sha text, upload_ text, size_ bigint, count_ integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_count integer;
    found_last integer;
    found_size bigint;
    content bytea;
BEGIN
    SELECT count(*), max(n), coalesce(sum(octet_length(data)), 0) INTO found_count, found_last, found_size
      FROM sop.chunks WHERE sha256 = sha AND upload = upload_ AND n < count_;
    IF found_count <> count_ OR coalesce(found_last, -1) <> count_ - 1 OR found_size <> size_ THEN
        RETURN 'incomplete';
    END IF;
    IF size_ > 67108864 THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(string_agg(data, ''::bytea ORDER BY n), ''::bytea) INTO content
      FROM sop.chunks WHERE sha256 = sha AND upload = upload_ AND n < count_;
    IF encode(sha256(content), 'hex') <> sha THEN
        RETURN 'hash';
    END IF;
    RETURN NULL;
END $$;

-- Content is cut into chunks one way only: 1 MiB each, the last one shorter, none for an empty file. So the same
-- content is always the same chunks, and sop can compare stored content with a file chunk by chunk.
CREATE OR REPLACE FUNCTION sop.check_blob() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    problem text := sop.blob_problem(NEW.sha256, NEW.upload, NEW.size, NEW.chunks);
BEGIN
    IF problem IS NULL AND (NEW.chunks <> (NEW.size + 1048575) / 1048576 OR EXISTS (
            SELECT 1 FROM sop.chunks WHERE sha256 = NEW.sha256 AND upload = NEW.upload AND n < NEW.chunks - 1
               AND octet_length(data) <> 1048576)) THEN
        problem := 'chunks';
    END IF;
    IF problem IS NOT NULL THEN
        PERFORM sop.refuse('evidence', '23514', jsonb_build_object('sha256', NEW.sha256, 'problem', problem),
                           format('the content stored for evidence %s does not have its SHA-256 (%s)',
                                  left(NEW.sha256, 12), problem));
    END IF;
    NEW.created_by := session_user;
    RETURN NEW;
END $$;

-- A chunk joins only an upload of this transaction, never a blob that is already there.
CREATE OR REPLACE FUNCTION sop.check_chunk() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.upload IS DISTINCT FROM pg_current_xact_id()::text OR octet_length(NEW.data) > 1048576
       OR EXISTS (SELECT 1 FROM sop.blobs WHERE sha256 = NEW.sha256) THEN
        PERFORM sop.refuse('evidence', '23514', jsonb_build_object('sha256', NEW.sha256, 'problem', 'chunk'),
                           'a chunk belongs to an upload of its own transaction, never to a stored blob');
    END IF;
    RETURN NEW;
END $$;

-- The upgrade from schema 1: blobs whose chunks (as many as the blob row counts) do not hash to their SHA-256
-- are set aside in sop.damaged_blobs, so that attaching the file again stores it whole. Run by `sop store init`.
CREATE OR REPLACE FUNCTION sop.set_aside_damaged_blobs() RETURNS SETOF text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    b record;
BEGIN
    ALTER TABLE sop.blobs DISABLE TRIGGER append_only_rows;
    FOR b IN SELECT * FROM sop.blobs WHERE upload = '' ORDER BY sha256 LOOP
        IF sop.blob_problem(b.sha256, b.upload, b.size, b.chunks) IS NOT NULL THEN
            INSERT INTO sop.damaged_blobs (sha256, size, chunks, upload, created_by)
            VALUES (b.sha256, b.size, b.chunks, b.upload, b.created_by);
            DELETE FROM sop.blobs WHERE sha256 = b.sha256;
            RETURN NEXT b.sha256;
        END IF;
    END LOOP;
    ALTER TABLE sop.blobs ENABLE TRIGGER append_only_rows;
END $$;

-- A blob an administrator's sop has read back and found not to hash to its SHA-256 is set aside, its chunks
-- kept; attaching the file again stores it whole.
DROP FUNCTION IF EXISTS sop.set_aside_blob(text);
CREATE OR REPLACE FUNCTION sop.set_aside_blob(p_sha text, p_upload text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    b record;
BEGIN
    IF NOT pg_has_role(session_user, 'sop_admin', 'MEMBER') THEN
        PERFORM sop.refuse('admin', '42501', jsonb_build_object('login', session_user::text),
                           'only a member of sop_admin sets evidence aside');
    END IF;
    -- only the upload the administrator's sop read back: content stored since (the file attached again) stays
    SELECT * INTO b FROM sop.blobs WHERE sha256 = p_sha AND upload = p_upload FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    -- up to 64 MiB the database hashes the content itself: whole content is never set aside (above, it takes
    -- the administrator's word, which their sop has checked by reading the content back)
    IF b.size <= 67108864 AND sop.blob_problem(b.sha256, b.upload, b.size, b.chunks) IS NULL THEN
        PERFORM sop.refuse('whole', '42501', jsonb_build_object('sha256', b.sha256),
                           'the content stored for this evidence has its SHA-256');
    END IF;
    ALTER TABLE sop.blobs DISABLE TRIGGER append_only_rows;
    INSERT INTO sop.damaged_blobs (sha256, size, chunks, upload, created_by, set_aside_by)
    VALUES (b.sha256, b.size, b.chunks, b.upload, b.created_by, session_user);
    DELETE FROM sop.blobs WHERE sha256 = b.sha256;
    ALTER TABLE sop.blobs ENABLE TRIGGER append_only_rows;
    RETURN true;
END $$;

-- The upgrade from schema 1: summaries that do not agree with their records (or whose run is damaged) are
-- removed; they are derived, and `sop store reindex` rebuilds them. Returns the runs concerned.
CREATE OR REPLACE FUNCTION sop.drop_disagreeing_summaries() RETURNS SETOF text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s record;
    problem text;
BEGIN
    FOR s IN SELECT run_id, row FROM sop.summaries ORDER BY run_id LOOP
        BEGIN
            problem := CASE WHEN s.row->>'id' IS DISTINCT FROM s.run_id THEN 'shape' ELSE sop.summary_problem(s.row) END;
        EXCEPTION WHEN check_violation OR data_exception THEN
            problem := 'damaged';
        END;
        IF problem IS NOT NULL THEN
            DELETE FROM sop.summaries WHERE run_id = s.run_id;
            RETURN NEXT s.run_id;
        END IF;
    END LOOP;
END $$;

-- ------------------------------------------------------------------ the doors for ordinary logins

CREATE OR REPLACE FUNCTION sop.parse(body text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN body::jsonb;
EXCEPTION WHEN data_exception OR program_limit_exceeded OR statement_too_complex THEN
    PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'form'), 'the record is not JSON');
    RETURN NULL;
END $$;

-- One record appended to a run (a new run with its start record), in the session's own login's name.
CREATE OR REPLACE FUNCTION sop.append_record(p_run text, p_body text, p_doc text, p_hash text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r jsonb := sop.parse(p_body);
    known boolean := EXISTS (SELECT 1 FROM sop.runs WHERE id = p_run);
BEGIN
    IF NOT sop.is_int(r->'seq') OR (r->>'seq')::bigint NOT BETWEEN 1 AND 2000000000 THEN
        PERFORM sop.refuse('shape', '23514', jsonb_build_object('problem', 'field', 'key', 'seq'), 'no sequence number');
    END IF;
    IF (r->>'seq')::integer = 1 THEN
        IF known THEN
            PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', p_run), format('run %s exists already', p_run));
        END IF;
        IF r->>'type' IS DISTINCT FROM 'start' THEN
            PERFORM sop.rule('start', r);
        END IF;
        INSERT INTO sop.runs (id, sop, created_by) VALUES (p_run, coalesce(r->'data'->'sop'->>'id', ''), session_user);
    ELSIF NOT known THEN
        PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', p_run), format('there is no run %s', p_run));
    END IF;
    INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login)
    VALUES (p_run, (r->>'seq')::integer, coalesce(r->>'prev', ''), p_hash, p_body, p_doc, '', '');
END $$;

-- A run's summary, which must agree with its records (sop's own, rebuilt from them).
CREATE OR REPLACE FUNCTION sop.put_summary(p_row jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO sop.summaries (run_id, seq, head, sop, number, status, started_at, finished_at, row)
    VALUES (p_row->>'id', 0, '', '', '', '', now(), NULL, p_row)
    ON CONFLICT (run_id) DO UPDATE SET row = EXCLUDED.row;
END $$;

-- One chunk of a file being stored in this transaction; false when the blob is stored already.
CREATE OR REPLACE FUNCTION sop.put_chunk(p_sha text, p_n integer, p_data bytea) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM sop.blobs WHERE sha256 = p_sha) THEN
        RETURN false;
    END IF;
    INSERT INTO sop.chunks (sha256, upload, n, data) VALUES (p_sha, pg_current_xact_id()::text, p_n, p_data);
    RETURN true;
END $$;

-- The file whose chunks this transaction sent becomes a blob, once they are all there (the trigger on sop.blobs
-- checks them, and up to 64 MiB hashes them).
CREATE OR REPLACE FUNCTION sop.seal_blob(p_sha text, p_size bigint, p_chunks integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM sop.blobs WHERE sha256 = p_sha) THEN
        RETURN false;
    END IF;
    INSERT INTO sop.blobs (sha256, size, chunks, upload) VALUES (p_sha, p_size, p_chunks, pg_current_xact_id()::text)
        ON CONFLICT (sha256) DO NOTHING;
    RETURN FOUND;
END $$;

-- A whole run copied in at once (sop store migrate --to), into a run id not yet taken, marked as copied by the
-- session's login. Records in other people's names need membership of sop_admin; nobody can add a copied
-- record to a run that exists already.
CREATE OR REPLACE FUNCTION sop.import_run(p_run text, p_bodies text[], p_docs text[], p_hashes text[], p_row jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    person text := session_user;
    first jsonb;
    i integer;
    r jsonb;
BEGIN
    IF coalesce(cardinality(p_bodies), 0) = 0 OR cardinality(p_docs) <> cardinality(p_bodies)
       OR cardinality(p_hashes) <> cardinality(p_bodies) THEN
        PERFORM sop.refuse('chain', '23514', jsonb_build_object('run', p_run), 'a run has records');
    END IF;
    IF EXISTS (SELECT 1 FROM sop.runs WHERE id = p_run) THEN
        PERFORM sop.refuse('exists', '23505', jsonb_build_object('run', p_run), format('run %s exists already', p_run));
    END IF;
    IF NOT pg_has_role(person, 'sop_admin', 'MEMBER') THEN
        FOR i IN 1 .. cardinality(p_bodies) LOOP
            r := sop.parse(p_bodies[i]);
            IF r->>'by' IS DISTINCT FROM person OR r->>'login' IS DISTINCT FROM person THEN
                PERFORM sop.refuse('import', '42501',
                                   jsonb_build_object('run', p_run, 'seq', r->'seq', 'by', r->'by', 'login', r->'login',
                                                      'session', person),
                                   format('record %s of run %s is by %s (login %s): copying it needs sop_admin',
                                          r->>'seq', p_run, r->>'by', r->>'login'));
            END IF;
            IF coalesce(r->'data'->'forced' = 'true', false) THEN
                PERFORM sop.refuse('force', '42501', jsonb_build_object('login', person),
                                   'an override (--force) needs membership of sop_admin');
            END IF;
        END LOOP;
    END IF;
    first := sop.parse(p_bodies[1]);
    INSERT INTO sop.runs (id, sop, created_by, migrated_by)
    VALUES (p_run, coalesce(first->'data'->'sop'->>'id', ''), coalesce(first->>'by', person), person);
    FOR i IN 1 .. cardinality(p_bodies) LOOP
        r := sop.parse(p_bodies[i]);
        INSERT INTO sop.records (run_id, seq, prev, hash, body, doc, actor, login, migrated_by)
        VALUES (p_run, (r->>'seq')::integer, coalesce(r->>'prev', ''), p_hashes[i], p_bodies[i], p_docs[i], '', '', person);
    END LOOP;
    PERFORM sop.put_summary(p_row);
END $$;

-- ------------------------------------------------------------------ triggers

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
DROP TRIGGER IF EXISTS check_run ON sop.runs;
CREATE CONSTRAINT TRIGGER check_run AFTER INSERT ON sop.runs DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION sop.check_run();
DROP TRIGGER IF EXISTS check_summary ON sop.summaries;
CREATE TRIGGER check_summary BEFORE INSERT OR UPDATE ON sop.summaries FOR EACH ROW EXECUTE FUNCTION sop.check_summary();
DROP TRIGGER IF EXISTS check_blob ON sop.blobs;
CREATE TRIGGER check_blob BEFORE INSERT ON sop.blobs FOR EACH ROW EXECUTE FUNCTION sop.check_blob();
DROP TRIGGER IF EXISTS check_chunk ON sop.chunks;
CREATE TRIGGER check_chunk BEFORE INSERT ON sop.chunks FOR EACH ROW EXECUTE FUNCTION sop.check_chunk();

CREATE OR REPLACE FUNCTION sop.own_current() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.login := session_user;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS own_current ON sop.current;
CREATE TRIGGER own_current BEFORE INSERT OR UPDATE ON sop.current FOR EACH ROW EXECUTE FUNCTION sop.own_current();

-- ------------------------------------------------------------------ rights

REVOKE ALL ON SCHEMA sop FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA sop FROM PUBLIC, sop_user, sop_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sop FROM PUBLIC, sop_user, sop_admin;
GRANT USAGE ON SCHEMA sop TO sop_user;
GRANT SELECT ON sop.meta, sop.runs, sop.records, sop.blobs, sop.chunks, sop.summaries, sop.damaged_blobs TO sop_user;
GRANT SELECT, INSERT, UPDATE ON sop.current TO sop_user;
GRANT EXECUTE ON FUNCTION sop.append_record(text, text, text, text), sop.put_summary(jsonb),
    sop.put_chunk(text, integer, bytea), sop.seal_blob(text, bigint, integer),
    sop.import_run(text, text[], text[], text[], jsonb), sop.set_aside_blob(text, text) TO sop_user;
