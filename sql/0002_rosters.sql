-- depends: 0001_schema
-- Rosters: recurring working hours (patterns), one-day overrides and absences.
-- Patterns produce ordinary rows in `shifts` (marked with their origin: pattern id + date), so slot
-- queries, the guard and the solver read pattern shifts exactly like hand-made ones.

CREATE TABLE roster_patterns (
    id                bigserial PRIMARY KEY,
    worker_id         text NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    -- Wall-clock start and length on the clock face (an end past midnight means the next day).
    start_time        time NOT NULL,
    length_minutes    integer NOT NULL,
    rrule             text NOT NULL,
    valid_from        date NOT NULL,
    valid_until       date,
    timezone          text NOT NULL,
    -- Occurrence dates up to here have been written to `shifts` (the rolling horizon's end).
    materialised_until date,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT roster_patterns_length CHECK (length_minutes BETWEEN 1 AND 1440),
    CONSTRAINT roster_patterns_validity CHECK (valid_until IS NULL OR valid_from <= valid_until)
);
CREATE INDEX roster_patterns_worker_idx ON roster_patterns (worker_id);

-- One date of one pattern with other hours (both set) or off (both NULL).
CREATE TABLE roster_overrides (
    pattern_id     bigint NOT NULL REFERENCES roster_patterns (id) ON DELETE CASCADE,
    day            date NOT NULL,
    start_time     time,
    length_minutes integer,
    PRIMARY KEY (pattern_id, day),
    CONSTRAINT roster_overrides_hours CHECK (
        (start_time IS NULL AND length_minutes IS NULL)
        OR (start_time IS NOT NULL AND length_minutes BETWEEN 1 AND 1440))
);

-- A shift's origin: NULL for hand-made shifts. Cascade: deleting a pattern deletes its shifts (the
-- service proves that safe first). An absence may cut one occurrence into pieces, hence no uniqueness.
ALTER TABLE shifts
    ADD COLUMN pattern_id  bigint REFERENCES roster_patterns (id) ON DELETE CASCADE,
    ADD COLUMN pattern_day date,
    ADD CONSTRAINT shifts_origin CHECK ((pattern_id IS NULL) = (pattern_day IS NULL));
CREATE INDEX shifts_pattern_idx ON shifts (pattern_id, pattern_day);

CREATE TABLE absences (
    id        bigserial PRIMARY KEY,
    worker_id text NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    period    tstzrange NOT NULL,
    kind      text NOT NULL,
    note      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT absences_period_half_open CHECK (
        NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)
        AND lower_inc(period) AND NOT upper_inc(period)),
    CONSTRAINT absences_kind CHECK (kind IN ('holiday', 'sick', 'training', 'other')),
    CONSTRAINT absences_no_overlap EXCLUDE USING gist (worker_id WITH =, period WITH &&)
);
