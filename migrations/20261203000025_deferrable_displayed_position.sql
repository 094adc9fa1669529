-- A user's displayed position must be one they hold. Checked at once, as
-- before, unless a transaction defers it: bulk inserts (seeding, and later
-- imports) write users with their displayed position first and the
-- positions they hold after, instead of rewriting every user row (and its
-- trigram entries) in a second pass.
ALTER TABLE users ALTER CONSTRAINT users_displayed_position_held DEFERRABLE INITIALLY IMMEDIATE;
