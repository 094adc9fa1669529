-- The user-table search reads a stored, lower-cased copy of what it matches.
--
-- The trigram index was on the expression
-- lower(first_name || ' ' || last_name || ' ' || email). An index on an
-- expression still makes PostgreSQL recompute it for every row it rechecks
-- or filters, and lower() under a UTF-8 locale costs about 1.7 µs a row:
-- a search with thousands of matches ("smi": 6,000 of 100,000 users) spent
-- a third of its time there. A generated column computes it once per write.
--
-- Adding a stored column rewrites the table under an exclusive lock (about
-- 5 s per 100,000 users), once.
ALTER TABLE users
    ADD COLUMN search_text text
    GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || email)) STORED;

CREATE INDEX users_search_text_trgm ON users USING gin (search_text gin_trgm_ops);

DROP INDEX users_search_trgm;
