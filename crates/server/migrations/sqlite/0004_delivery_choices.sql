-- Tracking details (where a parcel was left, the carrier's estimate) and delivery choices:
-- the shop's settings and offers, each parcel's choice, saved shopper responses for
-- Idempotency-Key, and the outbox of signed webhooks.

ALTER TABLE shipments ADD COLUMN delivered_to TEXT;
-- The carrier's estimated delivery window, Unix seconds.
ALTER TABLE shipments ADD COLUMN eta_from INTEGER;
ALTER TABLE shipments ADD COLUMN eta_to INTEGER;
-- The shopper's choice as JSON (postpurchase_api::DeliveryChoice), NULL when none.
ALTER TABLE shipments ADD COLUMN choice TEXT;
ALTER TABLE shipments ADD COLUMN choice_slot_id INTEGER REFERENCES delivery_slots (id);
-- Bumped by every change of the choice; the choice's ETag.
ALTER TABLE shipments ADD COLUMN choice_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shipment_events ADD COLUMN delivered_to TEXT;

-- Geocoded delivery address, for distances to pickup points.
ALTER TABLE orders ADD COLUMN ship_latitude REAL;
ALTER TABLE orders ADD COLUMN ship_longitude REAL;

-- IANA time zone of the shop's deliveries; cut-offs and slot times are local to it.
ALTER TABLE shops ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- Local time on the delivery day after which the choice is locked (HH:MM).
ALTER TABLE shops ADD COLUMN choice_cutoff TEXT NOT NULL DEFAULT '04:00';
-- How many days after the expected day "another day" may be; 0 offers no other day.
ALTER TABLE shops ADD COLUMN later_days INTEGER NOT NULL DEFAULT 0;
-- Safe places offered, codes one per line (postpurchase_api::SAFE_PLACES).
ALTER TABLE shops ADD COLUMN safe_places TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN neighbour_allowed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN webhook_url TEXT;
-- Kept readable: the server signs with it. Shown to the merchant when set.
ALTER TABLE shops ADD COLUMN webhook_secret TEXT;

CREATE TABLE delivery_slots (
    id       INTEGER PRIMARY KEY,
    shop_id  INTEGER NOT NULL REFERENCES shops (id),
    date     TEXT    NOT NULL,
    starts   TEXT    NOT NULL,
    ends     TEXT    NOT NULL,
    price    INTEGER,
    capacity INTEGER NOT NULL,
    taken    INTEGER NOT NULL DEFAULT 0,
    CHECK (taken >= 0 AND taken <= capacity)
);
CREATE INDEX delivery_slots_by_date ON delivery_slots (shop_id, date, starts);

CREATE TABLE pickup_points (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    locker        INTEGER NOT NULL DEFAULT 0,
    name          TEXT    NOT NULL,
    address       TEXT    NOT NULL,
    -- One line per group of days.
    opening_hours TEXT    NOT NULL DEFAULT '',
    latitude      REAL,
    longitude     REAL
);
CREATE INDEX pickup_points_by_shop ON pickup_points (shop_id);

-- A shopper's Idempotency-Key per order: the request's hash and the response it got.
CREATE TABLE shopper_requests (
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (order_id, key)
) WITHOUT ROWID;
CREATE INDEX shopper_requests_created ON shopper_requests (created_at);

-- Webhooks to send, written in the same transaction as the change they report.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    shop_id         INTEGER NOT NULL REFERENCES shops (id),
    event_id        TEXT    NOT NULL UNIQUE,
    url             TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    -- pending, delivered, failed (gave up after the last retry)
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds.
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
