-- Groups (ELMA365's user groups): a name and a description per
-- organization; a user may be in many. Deleting a group ends its
-- memberships, never its users; deleting a user ends theirs.
CREATE TABLE groups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE TRIGGER groups_updated_at BEFORE UPDATE ON groups
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- One name per organization, whatever its case; also the list's order
-- (keyset by name, then id).
CREATE UNIQUE INDEX groups_name_key ON groups (org_id, lower(name));
CREATE INDEX groups_by_name ON groups (org_id, lower(name), id);

CREATE TABLE group_members (
    org_id    uuid NOT NULL,
    group_id  uuid NOT NULL,
    user_id   uuid NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, group_id, user_id),
    -- Both in the same organization, whatever writes the row.
    FOREIGN KEY (org_id, group_id) REFERENCES groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
-- A user's groups (the profile), and the user filter's semi-join.
CREATE INDEX group_members_by_user ON group_members (org_id, user_id, group_id);
