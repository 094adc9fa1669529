-- Changing a user's email (when the organization allows it): the new
-- address is held on its confirmation link until its owner confirms it.
ALTER TABLE invites ADD COLUMN new_email text CHECK (char_length(new_email) <= 254);
ALTER TABLE invites ADD CONSTRAINT invites_new_email_only_for_email_change
    CHECK ((purpose = 'email_change') = (new_email IS NOT NULL));
