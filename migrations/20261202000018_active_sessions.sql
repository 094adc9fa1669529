-- Active users (issue 16): who is signed in now, from which browser and
-- address, and a way to end one session or all of a user's.
--
-- `handle` names a session to the admin's browser: the id itself is the
-- cookie's secret and never leaves the server. Activity is written at most
-- once a minute per session (see `session::record_activity`), so a busy
-- user costs one small UPDATE a minute, not one per request.
ALTER TABLE sessions
    ADD COLUMN handle       uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN created_at   timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN user_agent   text,
    ADD COLUMN client_addr  inet;
CREATE UNIQUE INDEX sessions_handle_key ON sessions (handle);
-- The Active users page: an organization's signed-in sessions, newest
-- activity first.
CREATE INDEX sessions_by_activity ON sessions (org_id, last_seen_at DESC) WHERE user_id IS NOT NULL;
