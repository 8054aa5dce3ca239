-- depends: 0005_calendar_tokens
-- What a slot query learned for the next query of the same day, length and crew (api.guides): the day's
-- plan it started from and the plans of the starts that took windows or a model. Hints only, never
-- answers (the solver checks every plan it builds from them), shared by every process of the service.
-- UNLOGGED: a crash may empty it, which costs the next queries time and nothing else.
CREATE UNLOGGED TABLE slot_guides (
    day              date NOT NULL,
    duration_minutes integer NOT NULL,
    seats            text NOT NULL,  -- the new task's crew, e.g. "install:2" or "*:1"
    guides           jsonb NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, duration_minutes, seats)
);
