-- Workers, their shifts and tasks.
-- The exclusion constraints are the last line of defence: even if application code were wrong, the
-- database itself refuses overlapping shifts of one worker and a double booking of one installer.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Generated ids look like w-12 / t-34; clients may also choose their own (the API refuses w-<n> / t-<n>).
CREATE SEQUENCE worker_id_seq;
CREATE SEQUENCE task_id_seq;

CREATE TABLE workers (
    id         text PRIMARY KEY DEFAULT ('w-' || nextval('worker_id_seq')),
    name       text NOT NULL DEFAULT '',
    skills     text[] NOT NULL DEFAULT '{}',
    -- A shift counts only on operational days within [hire_date, fire_date]; NULL means unbounded.
    hire_date  date,
    fire_date  date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workers_employment_order CHECK (hire_date IS NULL OR fire_date IS NULL OR hire_date <= fire_date)
);

CREATE TABLE shifts (
    id        bigserial PRIMARY KEY,
    worker_id text NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    period    tstzrange NOT NULL,
    CONSTRAINT shifts_period_half_open CHECK (
        NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)
        AND lower_inc(period) AND NOT upper_inc(period)),
    CONSTRAINT shifts_no_overlap EXCLUDE USING gist (worker_id WITH =, period WITH &&)
);
CREATE INDEX shifts_period_idx ON shifts USING gist (period);

CREATE TABLE tasks (
    id         text PRIMARY KEY DEFAULT ('t-' || nextval('task_id_seq')),
    period     tstzrange NOT NULL,
    skill      text,
    -- NULL: booked but not taken yet. RESTRICT: a worker holding tasks cannot vanish under them.
    worker_id  text REFERENCES workers (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_period_half_open CHECK (
        NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)
        AND lower_inc(period) AND NOT upper_inc(period)),
    CONSTRAINT tasks_duration CHECK (
        upper(period) - lower(period) BETWEEN interval '30 minutes' AND interval '240 minutes'),
    CONSTRAINT tasks_no_double_booking EXCLUDE USING gist (worker_id WITH =, period WITH &&)
        WHERE (worker_id IS NOT NULL)
);
CREATE INDEX tasks_period_idx ON tasks USING gist (period);

-- The last proven assignment of every untaken task (task id -> worker id), keyed by the operational
-- day of the task's start: every accepted change rewrites it in the same transaction, and the next
-- check starts from it instead of solving from scratch.
CREATE TABLE day_witness (
    day        date PRIMARY KEY,
    assignment jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
