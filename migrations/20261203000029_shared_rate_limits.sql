-- Rate limits shared by every instance (`server/rate_limit.rs`): a key's
-- theoretical arrival time under the generic cell rate algorithm. Not
-- tenant data: keys are client addresses (an IPv6 client by its /64) and
-- API key ids, limited whichever organization they reach. UNLOGGED: written
-- on every limited request and worth nothing after a crash (the limits
-- start afresh), so it skips the write-ahead log.
CREATE UNLOGGED TABLE rate_limits (
    scope text NOT NULL,
    key   text NOT NULL,
    tat   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
