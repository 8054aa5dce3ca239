-- depends: 0001_schema
-- Who may do what (API tokens) and who did what (the audit trail).

-- A bearer token is stored only as its SHA-256; the token itself is shown once, when it is created.
-- An installer's token names the worker it acts for (installers take and release only for themselves).
CREATE TABLE api_tokens (
    id         bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    role       text NOT NULL,
    worker_id  text,
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_tokens_role CHECK (role IN ('manager', 'installer', 'planner', 'admin')),
    CONSTRAINT api_tokens_installer_worker CHECK ((role = 'installer') = (worker_id IS NOT NULL))
);

-- One row per accepted change, written in the change's own transaction (a refused change rolls it back).
-- `at` is the transaction's time; `before` / `after` are the resource's JSON (null when created / deleted).
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    token_id    bigint,
    actor       text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX events_entity ON events (entity, entity_id, id);
CREATE INDEX events_at ON events (at, id);
