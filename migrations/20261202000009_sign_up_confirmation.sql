-- Sign-up confirms the address first (issue 13): the form's answer no longer
-- says whether an address has an account. A pending sign-up holds what the
-- form took until the mailbox's owner opens the link and chooses a password;
-- only then are the organization and its Superuser created. A pending
-- sign-up reserves nothing: it expires after 24 hours, a new sign-up for the
-- same address replaces it, and an invite may take the address meanwhile.
-- Not tenant data yet (no organization exists), so no org_id until confirmed.
CREATE TABLE sign_ups (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL,
    organization  text NOT NULL,
    time_zone     text NOT NULL,
    first_name    text NOT NULL,
    last_name     text NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    expires_at    timestamptz NOT NULL,
    replaced_at   timestamptz,
    confirmed_at  timestamptz,
    -- The organization the confirmation created.
    org_id        uuid REFERENCES organizations (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_ups_pending_by_email ON sign_ups (lower(email)) WHERE confirmed_at IS NULL AND replaced_at IS NULL;
CREATE INDEX sign_ups_by_age ON sign_ups (created_at);

-- Mail that belongs to no organization yet (a sign-up's confirmation).
ALTER TABLE outbox ALTER COLUMN org_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN sign_up_id uuid REFERENCES sign_ups (id) ON DELETE CASCADE;
-- Sign-up mails to one address in the last day (a per-address limit).
CREATE INDEX outbox_sign_up_mail_by_recipient ON outbox (lower(recipient), created_at)
    WHERE kind IN ('sign_up_confirm', 'sign_up_notice');

-- The audit log: who did what to whom, per organization. Every entry is
-- written in the transaction of the change it records (or, for a refusal,
-- on its own: nothing else was written).
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    -- Null: Roster itself, or a visitor who is nobody's user.
    actor_id    uuid,
    action      text NOT NULL,
    subject_id  uuid,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id  text
);
CREATE INDEX audit_log_by_org ON audit_log (org_id, at DESC, id DESC);
CREATE INDEX audit_log_by_action ON audit_log (org_id, action, at DESC);
