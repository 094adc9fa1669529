-- Dashboards (IoT Pro's "Dashboard Permissions"): an organization's
-- dashboards, and which of them each user may open: none, the ones chosen
-- for them, or all (including ones created later). A Superuser opens every
-- dashboard; everyone else also needs "See Dashboard & Sensor analysis".
CREATE TABLE dashboards (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    description  text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX dashboards_name_key ON dashboards (org_id, lower(name));

ALTER TABLE users
    ADD COLUMN dashboard_access text NOT NULL DEFAULT 'none' CHECK (dashboard_access IN ('none', 'selected', 'all'));

CREATE TABLE user_dashboards (
    org_id        uuid NOT NULL,
    user_id       uuid NOT NULL,
    dashboard_id  uuid NOT NULL,
    PRIMARY KEY (org_id, user_id, dashboard_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, dashboard_id) REFERENCES dashboards (org_id, id) ON DELETE CASCADE
);
CREATE INDEX user_dashboards_by_dashboard ON user_dashboards (org_id, dashboard_id);
