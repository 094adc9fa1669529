-- Internal users (employees) and external users (ELMA365's portal users:
-- customers and partners), chosen when inviting. Existing users are
-- employees. Adding a column with a constant default rewrites nothing.
CREATE TYPE user_kind AS ENUM ('internal', 'external');

ALTER TABLE users
    ADD COLUMN kind user_kind NOT NULL DEFAULT 'internal',
    -- An external user can never be the Superuser (nor become one by a
    -- hand-over): whatever path writes the row, the database refuses it.
    ADD CONSTRAINT users_external_not_superuser CHECK (kind = 'internal' OR role <> 'superuser');

-- A per-user grant of "Serving user menu" to an external user is refused
-- here as well as by the server: `AccessProfile::decide` would ignore it,
-- but it must not sit in the table looking like access.
CREATE FUNCTION refuse_external_user_menu() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.granted AND NEW.permission = 'user_menu' AND EXISTS (
        SELECT 1 FROM users u WHERE u.org_id = NEW.org_id AND u.id = NEW.user_id AND u.kind = 'external'
    ) THEN
        RAISE EXCEPTION 'external users cannot serve the user menu' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER user_permissions_not_external_user_menu BEFORE INSERT OR UPDATE ON user_permissions
    FOR EACH ROW EXECUTE FUNCTION refuse_external_user_menu();
