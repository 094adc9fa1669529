-- Sign-ins must not queue behind each other.
--
-- The foundation's UPDATE trigger on users was statement-level (transition
-- tables), so it ran for every UPDATE, a sign-in's `last_sign_in_at` too: it
-- rewrote the organization's seat rows twice and held their row locks until
-- commit. Every sign-in of an organization therefore waited for the previous
-- one's commit, and paid for two extra row versions on `seats`.
--
-- Seats change only when a user's status, role or organization does. A
-- trigger with transition tables cannot name columns, so the UPDATE trigger
-- becomes row-level and fires only on such a change (rare, and one row at a
-- time in every code path). INSERT and DELETE stay statement-level: a bulk
-- import still adjusts the seats once per statement.
DROP TRIGGER users_seats_update ON users;

CREATE FUNCTION seats_apply_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Release first, then take: a role change within one organization never
    -- needs both seats at once.
    IF user_holds_seat(OLD.status) THEN
        UPDATE seats SET used = used - 1 WHERE org_id = OLD.org_id AND role = OLD.role;
    END IF;
    IF user_holds_seat(NEW.status) THEN
        UPDATE seats SET used = used + 1 WHERE org_id = NEW.org_id AND role = NEW.role;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_seats_update AFTER UPDATE OF status, role, org_id ON users
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION seats_apply_row_change();
