-- Advanced search: the department filter (matched whole, case-insensitively)
-- is served by an index, like every other filter of the user list.
CREATE INDEX users_by_department ON users (org_id, lower(department), id) WHERE department IS NOT NULL;
