-- Positions: the organizational chart (ELMA365), a tree per organization.
-- A user holds zero or more positions; "displayed position" is the one
-- lists and the profile show. External users hold none.
CREATE TABLE positions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- NULL: a top of the chart (an organization may have several).
    parent_id   uuid,
    name        text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    -- Within the organization; a position with sub-positions cannot go.
    FOREIGN KEY (org_id, parent_id) REFERENCES positions (org_id, id) ON DELETE RESTRICT,
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE TRIGGER positions_updated_at BEFORE UPDATE ON positions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX positions_by_parent ON positions (org_id, parent_id, lower(name), id);

-- No cycles, whoever moves what: a position may not go under itself or
-- anything below it. Moves within an organization take its lock first, so
-- two concurrent moves (A under B, B under A) cannot each pass the check on
-- a tree the other is changing: the second waits, then sees the first. (In
-- READ COMMITTED each statement of this function reads the latest committed
-- tree, so the walk after the lock sees the other move.)
CREATE FUNCTION positions_refuse_cycles() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
BEGIN
    IF NEW.parent_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id) THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('positions:' || NEW.org_id::text, 0));
    WITH RECURSIVE up AS (
        SELECT p.id, p.parent_id, 1 AS depth FROM positions p WHERE p.org_id = NEW.org_id AND p.id = NEW.parent_id
        UNION ALL
        SELECT p.id, p.parent_id, up.depth + 1 FROM positions p JOIN up ON p.org_id = NEW.org_id AND p.id = up.parent_id
        WHERE up.depth < 10000
    )
    SELECT EXISTS (SELECT 1 FROM up WHERE up.id = NEW.id) INTO found;
    IF found THEN
        RAISE EXCEPTION 'a position cannot be moved under itself or one of its sub-positions'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'positions_no_cycle';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER positions_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON positions
    FOR EACH ROW EXECUTE FUNCTION positions_refuse_cycles();

CREATE TABLE user_positions (
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    position_id  uuid NOT NULL,
    since        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id, position_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    -- A position someone holds cannot be deleted.
    FOREIGN KEY (org_id, position_id) REFERENCES positions (org_id, id) ON DELETE RESTRICT
);
-- Who holds a position (the chart, the position filter).
CREATE INDEX user_positions_by_position ON user_positions (org_id, position_id, user_id);

CREATE FUNCTION user_positions_employees_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM users u WHERE u.org_id = NEW.org_id AND u.id = NEW.user_id AND u.kind = 'external') THEN
        RAISE EXCEPTION 'external users cannot hold positions'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'user_positions_employees_only';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER user_positions_employees_only BEFORE INSERT OR UPDATE ON user_positions
    FOR EACH ROW EXECUTE FUNCTION user_positions_employees_only();

-- The displayed position is one the user holds: giving it up clears it.
ALTER TABLE users ADD COLUMN displayed_position_id uuid,
    ADD CONSTRAINT users_displayed_position_held FOREIGN KEY (org_id, id, displayed_position_id)
        REFERENCES user_positions (org_id, user_id, position_id) ON DELETE SET NULL (displayed_position_id);
