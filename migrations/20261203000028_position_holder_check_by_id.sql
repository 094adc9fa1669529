-- The check that only employees hold positions looked the user up by
-- (org_id, id, kind). With no statistics yet on a freshly filled table (a
-- bulk import, the seeder), the planner served that from `users_narrowing`
-- (org_id, kind, …), walking every external user of the organization for
-- each position given: seeding 100,000 users stalled for minutes. Looked up
-- by its primary key alone, the user is one index probe whatever the
-- statistics say; the organization and type are then compared here.
CREATE OR REPLACE FUNCTION user_positions_employees_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    holder_org uuid;
    holder_kind user_kind;
BEGIN
    SELECT u.org_id, u.kind INTO holder_org, holder_kind FROM users u WHERE u.id = NEW.user_id;
    IF holder_org = NEW.org_id AND holder_kind = 'external' THEN
        RAISE EXCEPTION 'external users cannot hold positions'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'user_positions_employees_only';
    END IF;
    RETURN NEW;
END $$;
