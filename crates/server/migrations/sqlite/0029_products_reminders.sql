-- After delivery: the shop's words on using and caring for a product, its re-order
-- suggestion and what goes well with it (per SKU), and the shoppers' re-order reminders.
--
-- A product's rows change what orders with its SKU show (the `care` and `pairs` modules):
-- the write that changes them bumps the shop's version. Clicks change no view.
CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    sku           TEXT    NOT NULL,
    care          TEXT,
    care_url      TEXT,
    reorder_days  INTEGER,
    updated_at    INTEGER NOT NULL,
    UNIQUE (shop_id, sku)
);

-- A product's recommendations, in the shop's order. A pairing keeps its id (and clicks)
-- while its url stays in the product's list; an id is never given again (a click on a
-- removed one counts for nothing).
CREATE TABLE product_pairs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    price       INTEGER NOT NULL,
    currency    TEXT    NOT NULL,
    image_url   TEXT,
    url         TEXT    NOT NULL,
    clicks      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_pairs_by_product ON product_pairs (product_id, position);

-- "Remind me to re-order": one waits per order line at most; when due it is sent to the
-- shop (webhook reminder.due) or skipped when the shopper wants no news.
CREATE TABLE reminders (
    id             INTEGER PRIMARY KEY,
    shop_id        INTEGER NOT NULL REFERENCES shops (id),
    order_id       INTEGER NOT NULL REFERENCES orders (id),
    order_item_id  INTEGER NOT NULL REFERENCES order_items (id),
    due_on         TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('waiting', 'sent', 'skipped', 'cancelled')),
    created_at     INTEGER NOT NULL,
    settled_at     INTEGER
);
CREATE UNIQUE INDEX reminders_one_waiting ON reminders (order_item_id) WHERE status = 'waiting';
CREATE INDEX reminders_due ON reminders (due_on) WHERE status = 'waiting';
CREATE INDEX reminders_by_order ON reminders (order_id);
CREATE INDEX reminders_by_shop ON reminders (shop_id, status);
