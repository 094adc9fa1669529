-- Access permissions (ELPRO's catalogue, `features/access/types.rs`): what
-- each role holds by default, per organization, and each user's own grants
-- and denials. A Superuser holds every permission, always, so only Basic
-- and Operator have defaults.

-- The catalogue's keys. A new permission in a later release adds its key
-- here (a new migration replaces the constraints).
CREATE FUNCTION access_permission_keys() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['dashboard', 'download_reports', 'add_sensors', 'show_deviation', 'acknowledge_deviation',
                 'edit_alarm_profiles', 'edit_issue_profiles', 'delete_sensors', 'invoices', 'user_menu']
$$;

-- The column defaults seed every organization, existing and new alike.
ALTER TABLE organizations
    ADD COLUMN basic_permissions text[] NOT NULL
        DEFAULT ARRAY['dashboard', 'download_reports', 'show_deviation']
        CHECK (basic_permissions <@ access_permission_keys()),
    ADD COLUMN operator_permissions text[] NOT NULL
        DEFAULT ARRAY['dashboard', 'download_reports', 'show_deviation', 'add_sensors', 'acknowledge_deviation',
                      'edit_alarm_profiles', 'edit_issue_profiles']
        CHECK (operator_permissions <@ access_permission_keys());

-- A user's grant (granted) or denial (not granted) of one permission; no
-- row means "role default". Who set it is kept by name as well, so the
-- explanation still reads "by Max on …" after Max's account is deleted.
CREATE TABLE user_permissions (
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    permission   text NOT NULL CHECK (permission = ANY (access_permission_keys())),
    granted      boolean NOT NULL,
    set_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    set_by_name  text NOT NULL CHECK (char_length(set_by_name) <= 201),
    set_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id, permission),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- "Who holds a permission" (the API's list of alert recipients) reads the
-- grants of one permission in an organization.
CREATE INDEX user_permissions_by_permission ON user_permissions (org_id, permission, granted);
