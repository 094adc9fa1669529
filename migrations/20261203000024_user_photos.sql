-- Profile photos: the server's own re-encoding (a 256 px square JPEG) of
-- what was uploaded; the uploaded bytes are never stored or served.
CREATE TABLE user_photos (
    org_id      uuid NOT NULL,
    user_id     uuid NOT NULL,
    image       bytea NOT NULL CHECK (octet_length(image) <= 262144),
    -- Changes with every upload: addresses carry it, so a browser may keep
    -- a photo for a year and still never show an old one.
    version     text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
