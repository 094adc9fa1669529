-- The mail worker no longer holds row locks while it talks to an SMTP
-- server (a slow server stalled resend and cancel for minutes). It claims a
-- batch with a lease and commits; just before each send it marks the row
-- 'sending' if it is still pending and still its own, sends outside any
-- transaction, then records the result. A 'sending' row whose lease ran out
-- (the worker died mid-send) is retried: at least once, never lost.
ALTER TYPE mail_state ADD VALUE IF NOT EXISTS 'sending';
ALTER TABLE outbox
    ADD COLUMN lease_owner uuid,
    ADD COLUMN lease_until timestamptz;
