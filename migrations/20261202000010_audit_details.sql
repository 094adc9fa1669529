-- The audit log's entries carry what a reader needs without other tables:
-- the names shown at the time (readable after a user is deleted), and where
-- the request came from. Indexes serve the audit page's newest-first keyset
-- pages, whole or filtered by action, actor or target.
ALTER TABLE audit_log
    ADD COLUMN actor_name   text,
    ADD COLUMN subject_name text,
    ADD COLUMN client_ip    inet,
    ADD COLUMN user_agent   text;
DROP INDEX audit_log_by_action;
DROP INDEX audit_log_by_org;
CREATE INDEX audit_log_by_org ON audit_log (org_id, at DESC, id DESC);
CREATE INDEX audit_log_by_action ON audit_log (org_id, action, at DESC, id DESC);
CREATE INDEX audit_log_by_actor ON audit_log (org_id, actor_id, at DESC, id DESC) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_by_subject ON audit_log (org_id, subject_id, at DESC, id DESC) WHERE subject_id IS NOT NULL;

-- An entry, once written, is never changed (deleting is left to retention
-- and to deleting the organization).
CREATE FUNCTION audit_log_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed';
END;
$$;
CREATE TRIGGER audit_log_unchangeable BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_unchangeable();
