-- Crews, seats and daily limits (contract v2).
--
-- A task needs a crew: `count` seats per entry of `task_crew`, each entry with its skill (NULL: anyone).
-- Who holds a seat lives in `task_seats`, one row per (task, worker): the one source of truth of takers.
-- Its exclusion constraint is the database's own last line of defence, as tasks_no_double_booking was:
-- one worker never holds seats of two overlapping tasks. The seat carries its task's period (kept equal
-- by the composite foreign key, ON UPDATE CASCADE) because an exclusion constraint sees one table only.
--
-- v1 data migrates: every task gets one crew entry (its skill, count 1) and every taker a seat.
-- tasks.worker_id stays, for v1 readers, as a mirror maintained by triggers: the holder of a one-seat
-- task, else NULL. Writing it directly still works for one-seat tasks (the seat follows) and is refused
-- for crew tasks, whose seats must be written in task_seats.

ALTER TABLE tasks ADD CONSTRAINT tasks_id_period_key UNIQUE (id, period);

CREATE TABLE task_crew (
    task_id  text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    position smallint NOT NULL,   -- the order the crew was given in
    skill    text,                -- NULL: any worker fits the seat
    count    smallint NOT NULL,
    PRIMARY KEY (task_id, position),
    -- The contract: entries with the same skill (NULL included) are invalid input (merge them).
    CONSTRAINT task_crew_skill_once UNIQUE NULLS NOT DISTINCT (task_id, skill),
    CONSTRAINT task_crew_count CHECK (count BETWEEN 1 AND 20)
);

CREATE TABLE task_seats (
    task_id   text NOT NULL,
    worker_id text NOT NULL REFERENCES workers (id) ON DELETE RESTRICT,
    -- The crew entry the worker took the seat as (informational: the contract lets holders sit in any
    -- seat whose skill they have, and the guard decides by that rule).
    skill     text,
    period    tstzrange NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, worker_id),
    CONSTRAINT task_seats_task FOREIGN KEY (task_id, period) REFERENCES tasks (id, period)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT task_seats_no_double_booking EXCLUDE USING gist (worker_id WITH =, period WITH &&)
);
CREATE INDEX task_seats_worker_idx ON task_seats (worker_id);

-- Daily limits (per operational day of the task's start); NULL: no limit.
ALTER TABLE workers
    ADD COLUMN max_tasks   integer CONSTRAINT workers_max_tasks CHECK (max_tasks >= 0),
    ADD COLUMN max_minutes integer CONSTRAINT workers_max_minutes CHECK (max_minutes >= 0);

-- v1 data: one seat of the task's skill; every taker holds it.
INSERT INTO task_crew (task_id, position, skill, count) SELECT id, 0, skill, 1 FROM tasks;
INSERT INTO task_seats (task_id, worker_id, skill, period, taken_at)
    SELECT id, worker_id, skill, period, updated_at FROM tasks WHERE worker_id IS NOT NULL;

-- Seats replace the v1 constraint (task_seats_no_double_booking covers every holder).
ALTER TABLE tasks DROP CONSTRAINT tasks_no_double_booking;

-- Stored witnesses: each task's workers as a list (v1 stored one worker id).
UPDATE day_witness SET assignment = COALESCE((
    SELECT jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'string' THEN jsonb_build_array(value)
                                      ELSE value END)
    FROM jsonb_each(assignment)), '{}'::jsonb);

-- --- the tasks.worker_id mirror ---------------------------------------------------------------------

-- Seats of a task; a task without crew rows (written by plain SQL) has one seat of its skill.
CREATE FUNCTION task_seat_count(task text) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT sum(count)::integer FROM task_crew WHERE task_id = task), 1)
$$;

CREATE FUNCTION task_mirror(task text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN task_seat_count(task) = 1 THEN (SELECT min(worker_id) FROM task_seats WHERE task_id = task) END
$$;

CREATE FUNCTION task_seats_mirror() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    task text := CASE WHEN TG_OP = 'DELETE' THEN OLD.task_id ELSE NEW.task_id END;
BEGIN
    UPDATE tasks SET worker_id = task_mirror(task) WHERE id = task AND worker_id IS DISTINCT FROM task_mirror(task);
    IF TG_OP = 'UPDATE' AND OLD.task_id <> NEW.task_id THEN
        UPDATE tasks SET worker_id = task_mirror(OLD.task_id)
        WHERE id = OLD.task_id AND worker_id IS DISTINCT FROM task_mirror(OLD.task_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER task_seats_mirror AFTER INSERT OR UPDATE OR DELETE ON task_seats
    FOR EACH ROW EXECUTE FUNCTION task_seats_mirror();
CREATE TRIGGER task_crew_mirror AFTER INSERT OR UPDATE OR DELETE ON task_crew
    FOR EACH ROW EXECUTE FUNCTION task_seats_mirror();

-- A direct write of tasks.worker_id (v1 style, not from the mirror above) moves the seat of a one-seat task.
CREATE FUNCTION tasks_worker_to_seat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 OR (TG_OP = 'UPDATE' AND NEW.worker_id IS NOT DISTINCT FROM OLD.worker_id)
       OR (TG_OP = 'INSERT' AND NEW.worker_id IS NULL) THEN
        RETURN NULL;
    END IF;
    IF task_seat_count(NEW.id) <> 1 THEN
        RAISE EXCEPTION 'task % has a crew of % seats: write its holders in task_seats', NEW.id,
            task_seat_count(NEW.id) USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_worker_id_mirror';
    END IF;
    DELETE FROM task_seats WHERE task_id = NEW.id;
    IF NEW.worker_id IS NOT NULL THEN
        INSERT INTO task_seats (task_id, worker_id, skill, period) VALUES (NEW.id, NEW.worker_id, NEW.skill, NEW.period);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_worker_to_seat AFTER INSERT OR UPDATE OF worker_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_worker_to_seat();
