DROP TABLE IF EXISTS absences;
DROP INDEX IF EXISTS shifts_pattern_idx;
ALTER TABLE shifts DROP CONSTRAINT IF EXISTS shifts_origin;
ALTER TABLE shifts DROP COLUMN IF EXISTS pattern_day;
ALTER TABLE shifts DROP COLUMN IF EXISTS pattern_id;
DROP TABLE IF EXISTS roster_overrides;
DROP TABLE IF EXISTS roster_patterns;
