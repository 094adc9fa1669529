-- The invite lifecycle: resend, cancel and "Send me a new link".

-- A mail that will never be sent because what it carried was withdrawn
-- (its link was replaced by a resend, or the invite was cancelled). Workers
-- only claim 'queued' and 'retrying' rows, so such a mail is never delivered
-- with a dead link in it.
ALTER TYPE mail_state ADD VALUE IF NOT EXISTS 'canceled';

-- Why a link was issued: the first invite, an admin's resend, or the invited
-- person asking for a fresh link from an expired one (rate limited by
-- counting these).
ALTER TABLE invites
    ADD COLUMN origin text NOT NULL DEFAULT 'invite' CHECK (origin IN ('invite', 'resend', 'self_service'));

-- The status filter of the user table uses users_by_status (org_id, status, id)
-- from the foundation migration.
