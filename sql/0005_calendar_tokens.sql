-- depends: 0003_trust
-- A calendar token reads one worker's calendar.ics and nothing else, so a phone's calendar app can
-- subscribe with it in the URL (apps send neither headers nor cookies). Like an installer's, it names its worker.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_installer_worker;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role
    CHECK (role IN ('manager', 'installer', 'planner', 'admin', 'calendar'));
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_installer_worker
    CHECK ((role IN ('installer', 'calendar')) = (worker_id IS NOT NULL));
