DELETE FROM api_tokens WHERE role = 'calendar';
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_installer_worker;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role CHECK (role IN ('manager', 'installer', 'planner', 'admin'));
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_installer_worker CHECK ((role = 'installer') = (worker_id IS NOT NULL));
