-- Finds the rows a dead worker left 'sending' (a separate migration: an enum
-- value cannot be used in the transaction that adds it).
CREATE INDEX outbox_sending ON outbox (lease_until) WHERE state = 'sending';
