-- Back to v1: one taker per task (crew tasks keep one holder, the first by id; their crews are lost).
DROP TRIGGER IF EXISTS tasks_worker_to_seat ON tasks;
DROP TRIGGER IF EXISTS task_crew_mirror ON task_crew;
DROP TRIGGER IF EXISTS task_seats_mirror ON task_seats;
UPDATE tasks t SET worker_id = (SELECT min(s.worker_id) FROM task_seats s WHERE s.task_id = t.id);
UPDATE day_witness SET assignment = COALESCE((
    SELECT jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'array' THEN value -> 0 ELSE value END)
    FROM jsonb_each(assignment)), '{}'::jsonb);
ALTER TABLE tasks ADD CONSTRAINT tasks_no_double_booking EXCLUDE USING gist (worker_id WITH =, period WITH &&)
    WHERE (worker_id IS NOT NULL);
DROP TABLE IF EXISTS task_seats;
DROP TABLE IF EXISTS task_crew;
DROP FUNCTION IF EXISTS tasks_worker_to_seat();
DROP FUNCTION IF EXISTS task_seats_mirror();
DROP FUNCTION IF EXISTS task_mirror(text);
DROP FUNCTION IF EXISTS task_seat_count(text);
ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_id_period_key;
ALTER TABLE workers DROP COLUMN IF EXISTS max_tasks, DROP COLUMN IF EXISTS max_minutes;
