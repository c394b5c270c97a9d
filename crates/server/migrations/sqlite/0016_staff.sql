-- Staff accounts of the console: people who work for a shop, signing in with an e-mail and
-- a password (argon2id, PHC string). A shop's owner may change settings, staff and keys;
-- staff do the daily work. Sessions and one-time password links are kept as SHA-256
-- hashes of what the browser or the link holds.

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    email           TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'staff')),
    -- NULL until the person sets one through a one-time link.
    password_hash   TEXT,
    -- Failed sign-ins in a row, and until when signing in is refused after too many.
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    UNIQUE (shop_id, email)
);

CREATE TABLE staff_sessions (
    token_hash BLOB    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    -- What every change must carry in X-CSRF-Token.
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE staff_links (
    token_hash BLOB    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    expires_at INTEGER NOT NULL
);
CREATE INDEX staff_links_by_staff ON staff_links (staff_id);
