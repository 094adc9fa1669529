-- API keys: how the organization's own systems (sensors, reports,
-- invoices, alerting) ask Roster who may do what (`/api/v1`). Only the
-- key's SHA-256 is kept; the key itself is shown once, when created.
CREATE TABLE api_keys (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The key's first characters, so people can tell their keys apart.
    prefix           text NOT NULL,
    token_hash       bytea NOT NULL UNIQUE,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_name  text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz,
    UNIQUE (org_id, id)
);

CREATE INDEX api_keys_by_org ON api_keys (org_id, created_at DESC);
