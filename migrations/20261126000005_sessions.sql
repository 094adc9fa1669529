-- Sessions move from tower-sessions' own table to one of ours.
--
-- The stock table (`tower_sessions.session`: id, data, expiry) knew nothing
-- of whose session it was: the user was inside the encoded data. With the
-- organization and user as columns,
--   * loading a session also loads its signed-in user (one join, one round
--     trip per request instead of two),
--   * a user's sessions can be found, listed and ended together, and they
--     go when the user is deleted,
--   * the table follows the rule that tenant data carries org_id.
-- Sessions of the old table are not carried over (their data is an encoded
-- blob): everyone signs in again once after this upgrade.
CREATE TABLE sessions (
    id          text PRIMARY KEY,
    -- Both NULL for a session nobody has signed in to.
    org_id      uuid,
    user_id     uuid,
    data        bytea NOT NULL,
    expiry_date timestamptz NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    CHECK ((org_id IS NULL) = (user_id IS NULL))
);
CREATE INDEX sessions_by_user ON sessions (org_id, user_id);
CREATE INDEX sessions_by_expiry ON sessions (expiry_date);

DROP SCHEMA IF EXISTS tower_sessions CASCADE;
