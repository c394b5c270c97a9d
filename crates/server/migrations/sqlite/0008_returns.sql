-- Returns: the shop's terms, final-sale lines, and each return with its items.

ALTER TABLE shops ADD COLUMN returns_enabled INTEGER NOT NULL DEFAULT 0;
-- Days from delivery during which an item can be returned.
ALTER TABLE shops ADD COLUMN return_window_days INTEGER NOT NULL DEFAULT 30;
-- The shop's reasons, one per line.
ALTER TABLE shops ADD COLUMN return_reasons TEXT NOT NULL DEFAULT '';
-- Extra store credit, in percent of the refund, for choosing credit over money back.
ALTER TABLE shops ADD COLUMN store_credit_bonus INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD COLUMN final_sale INTEGER NOT NULL DEFAULT 0;

CREATE TABLE returns (
    id             INTEGER PRIMARY KEY,
    shop_id        INTEGER NOT NULL REFERENCES shops (id),
    order_id       INTEGER NOT NULL REFERENCES orders (id),
    -- Shown to the shopper and the shop: the order number and a sequence, e.g. 1001-R1.
    number         TEXT    NOT NULL,
    -- requested, approved, in_transit, received, refunded, rejected, cancelled
    status         TEXT    NOT NULL DEFAULT 'requested',
    -- refund, store_credit
    resolution     TEXT    NOT NULL,
    -- drop_off, label, pickup_point
    method         TEXT    NOT NULL,
    -- What goes back, in the order's minor units, and the credit bonus on top.
    refund         INTEGER NOT NULL,
    bonus          INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (shop_id, number)
);
CREATE INDEX returns_by_order ON returns (order_id);

CREATE TABLE return_items (
    return_id     INTEGER NOT NULL REFERENCES returns (id),
    order_item_id INTEGER NOT NULL REFERENCES order_items (id),
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    reason        TEXT    NOT NULL,
    comment       TEXT,
    PRIMARY KEY (return_id, order_item_id)
) WITHOUT ROWID;
