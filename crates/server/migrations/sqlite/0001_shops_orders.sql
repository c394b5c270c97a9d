-- 0001: shops, their customers, orders with their lines, parcels, and capability tokens.
-- Applied once; never edit a migration after it shipped, add the next number instead.

CREATE TABLE shops (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    -- SHA-256 of the admin API key; the key itself is shown once and never stored.
    api_key_hash     BLOB NOT NULL UNIQUE,
    -- Origins allowed to call the shopper API from a browser, one per line, exact.
    allowed_origins  TEXT NOT NULL DEFAULT '',
    locale           TEXT NOT NULL DEFAULT 'en',
    support_email    TEXT,
    support_phone    TEXT,
    support_url      TEXT,
    order_status_url TEXT,
    token_valid_days INTEGER NOT NULL DEFAULT 365
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops(id),
    email      TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL DEFAULT '',
    UNIQUE (shop_id, email)
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    shop_id        INTEGER NOT NULL REFERENCES shops(id),
    number         TEXT NOT NULL,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    -- Unix seconds, UTC.
    placed_at      INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    subtotal       INTEGER NOT NULL,
    shipping       INTEGER NOT NULL,
    discount       INTEGER NOT NULL,
    tax            INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    ship_name      TEXT NOT NULL,
    ship_street    TEXT NOT NULL,
    ship_postcode  TEXT NOT NULL,
    ship_city      TEXT NOT NULL,
    ship_country   TEXT NOT NULL,
    promised_from  TEXT,
    promised_to    TEXT,
    cancelled      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, number)
);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at);

CREATE TABLE order_items (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id),
    position   INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL,
    variant    TEXT,
    quantity   INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    image_url  TEXT
);
CREATE INDEX order_items_by_order ON order_items (order_id, position);

CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    carrier         TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX shipments_by_order ON shipments (order_id);

CREATE TABLE shipment_items (
    shipment_id   INTEGER NOT NULL REFERENCES shipments(id),
    order_item_id INTEGER NOT NULL REFERENCES order_items(id),
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, order_item_id)
);

-- Capability tokens: SHA-256 of the token, so the table opens nothing by itself.
CREATE TABLE order_tokens (
    token_hash BLOB PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id),
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
