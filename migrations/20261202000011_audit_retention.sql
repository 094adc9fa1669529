-- How long an organization keeps its audit log, in days (the Security
-- settings page will let its Superuser change it), and when background
-- tasks last ran (the audit page says when old entries were last removed).
ALTER TABLE organizations
    ADD COLUMN audit_retention_days integer NOT NULL DEFAULT 365
        CHECK (audit_retention_days BETWEEN 30 AND 3650);
CREATE TABLE maintenance_runs (
    task         text PRIMARY KEY,
    finished_at  timestamptz NOT NULL,
    removed      bigint NOT NULL DEFAULT 0
);
