-- Employee profile fields (ELMA365's invite form): messenger and social
-- accounts, and "Additional data", fields each organization defines.

CREATE TYPE messenger_kind AS ENUM ('telegram', 'whatsapp', 'slack', 'teams', 'skype', 'linkedin', 'other');

CREATE TABLE user_messengers (
    org_id    uuid NOT NULL,
    user_id   uuid NOT NULL,
    -- The order the profile shows them in; at most ten accounts.
    position  smallint NOT NULL CHECK (position BETWEEN 0 AND 9),
    kind      messenger_kind NOT NULL,
    handle    text NOT NULL CHECK (char_length(handle) BETWEEN 1 AND 200),
    PRIMARY KEY (org_id, user_id, position),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

CREATE TYPE custom_field_kind AS ENUM ('text', 'number', 'date', 'choice');

CREATE TABLE custom_fields (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    label       text NOT NULL CHECK (char_length(btrim(label)) BETWEEN 1 AND 60),
    kind        custom_field_kind NOT NULL,
    -- For a choice: the options, in order (at least two).
    choices     text[] NOT NULL DEFAULT '{}',
    required    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    CHECK (kind <> 'choice' OR cardinality(choices) BETWEEN 2 AND 50)
);
CREATE UNIQUE INDEX custom_fields_label_key ON custom_fields (org_id, lower(label));

-- A user's value of a field, as text in the field's canonical form (a
-- number as PostgreSQL's numeric prints it, a date as YYYY-MM-DD, a choice
-- as one of its options), checked by the server against the field's kind.
CREATE TABLE user_field_values (
    org_id    uuid NOT NULL,
    user_id   uuid NOT NULL,
    field_id  uuid NOT NULL,
    value     text NOT NULL CHECK (char_length(value) BETWEEN 1 AND 500),
    PRIMARY KEY (org_id, user_id, field_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, field_id) REFERENCES custom_fields (org_id, id) ON DELETE CASCADE
);
