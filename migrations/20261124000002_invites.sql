-- Invites: the invite dialog's profile fields, invite tokens and the mail
-- outbox (a transactional outbox: the invite and its email are written in
-- one transaction, and workers deliver from this table).

-- How long an activation link stays valid (IoT Pro: 24 hours), per organization.
ALTER TABLE organizations
    ADD COLUMN invite_ttl_hours integer NOT NULL DEFAULT 24 CHECK (invite_ttl_hours BETWEEN 1 AND 720);

-- Profile fields from the three manuals' invite forms. Phones are stored in
-- E.164 (validated by the server with the phonenumber crate).
ALTER TABLE users
    ADD COLUMN mobile_phone   text CHECK (char_length(mobile_phone) <= 16),
    ADD COLUMN work_phone     text CHECK (char_length(work_phone) <= 16),
    ADD COLUMN work_phone_ext text CHECK (char_length(work_phone_ext) <= 10),
    ADD COLUMN department     text CHECK (char_length(department) <= 100),
    ADD COLUMN date_of_birth  date,
    ADD COLUMN hire_date      date,
    -- Who sent the invite (named on the cancelled-invite page). The service
    -- only ever sets a user of the same organization.
    ADD COLUMN invited_by     uuid REFERENCES users (id) ON DELETE SET NULL;

-- One row per activation link sent. Only the SHA-256 of the token is
-- stored; the token itself exists only in the email. A resend revokes the
-- previous link; activation marks it used; both keep the row for history.
CREATE TABLE invites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL,
    user_id     uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    revoked_at  timestamptz,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
-- The current invite of a user (the list shows its expiry and mail state).
CREATE INDEX invites_by_user ON invites (org_id, user_id, created_at DESC);

CREATE TYPE mail_state AS ENUM ('queued', 'sent', 'retrying', 'failed');

-- The outbox. Workers claim due rows with FOR UPDATE SKIP LOCKED, so several
-- app instances can deliver from one database without sending a mail twice.
CREATE TABLE outbox (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The user the mail is about, so the user table can show its state.
    user_id          uuid,
    invite_id        uuid REFERENCES invites (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body_text        text NOT NULL,
    body_html        text NOT NULL,
    state            mail_state NOT NULL DEFAULT 'queued',
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX outbox_by_user ON outbox (org_id, user_id, created_at DESC);

-- Tell idle workers at once that mail is waiting (they also poll, so a lost
-- notification only delays a mail by the poll interval).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- The development mailbox: where mail goes when no SMTP server is configured
-- (the `make run` default), listed at /dev/mailbox. Never used when SMTP_URL
-- is set.
CREATE TABLE dev_mailbox (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    outbox_id     uuid NOT NULL UNIQUE REFERENCES outbox (id) ON DELETE CASCADE,
    recipient     text NOT NULL,
    subject       text NOT NULL,
    body_text     text NOT NULL,
    body_html     text NOT NULL,
    delivered_at  timestamptz NOT NULL DEFAULT now()
);
