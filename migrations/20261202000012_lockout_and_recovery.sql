-- Automatic lockout, password recovery and the organization's security
-- settings (ELMA365's "Account is locked" and "Recover password").

-- The Security settings page's values. A NULL lockout duration means the
-- account stays locked until an admin unlocks it.
ALTER TABLE organizations
    ADD COLUMN lockout_threshold       integer NOT NULL DEFAULT 5  CHECK (lockout_threshold BETWEEN 3 AND 100),
    ADD COLUMN lockout_window_minutes  integer NOT NULL DEFAULT 15 CHECK (lockout_window_minutes BETWEEN 1 AND 1440),
    ADD COLUMN lockout_minutes         integer DEFAULT 15 CHECK (lockout_minutes BETWEEN 1 AND 10080),
    ADD COLUMN email_editable          boolean NOT NULL DEFAULT false,
    ADD COLUMN password_policy         text NOT NULL DEFAULT 'composition'
        CHECK (password_policy IN ('composition', 'length'));

-- Failed sign-ins of an account: how many since the first of the current
-- window, and the lock they led to (locked_until NULL while locked_at is
-- set: until an admin unlocks). Counted and locked by one UPDATE, so
-- parallel guesses cannot slip past the threshold.
ALTER TABLE users
    ADD COLUMN failed_sign_ins  integer NOT NULL DEFAULT 0,
    ADD COLUMN first_failed_at  timestamptz,
    ADD COLUMN locked_at        timestamptz,
    ADD COLUMN locked_until     timestamptz,
    ADD CONSTRAINT users_lock_has_start CHECK (locked_until IS NULL OR locked_at IS NOT NULL);

-- One table of links for every purpose (activation, password recovery, and
-- later email change): one way to issue, check and use a link. Issuing a
-- link revokes only the user's earlier links of the same purpose.
ALTER TABLE invites
    ADD COLUMN purpose text NOT NULL DEFAULT 'activation'
        CHECK (purpose IN ('activation', 'recovery', 'email_change'));
ALTER TABLE invites DROP CONSTRAINT invites_origin_check;
ALTER TABLE invites ADD CONSTRAINT invites_origin_check
    CHECK (origin IN ('invite', 'resend', 'self_service', 'admin', 'lockout'));
DROP INDEX invites_by_user;
CREATE INDEX invites_by_user ON invites (org_id, user_id, purpose, created_at DESC);
