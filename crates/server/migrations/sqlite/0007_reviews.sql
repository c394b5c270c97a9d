-- Reviews: one per order line, by the shopper who received it, moderated by the shop.

ALTER TABLE shops ADD COLUMN reviews_enabled INTEGER NOT NULL DEFAULT 0;
-- Whether the product comes in sizes, so the review asks about the fit.
ALTER TABLE order_items ADD COLUMN sized INTEGER NOT NULL DEFAULT 0;

CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    order_item_id INTEGER NOT NULL UNIQUE REFERENCES order_items (id),
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    stars         INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    fit           TEXT CHECK (fit IN ('small', 'true_to_size', 'large')),
    -- pending, published, rejected
    status        TEXT    NOT NULL DEFAULT 'pending',
    created_at    INTEGER NOT NULL,
    moderated_at  INTEGER
);
CREATE INDEX reviews_by_shop ON reviews (shop_id, status, created_at);
