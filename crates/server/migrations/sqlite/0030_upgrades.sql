-- Faster delivery: upgrades the shop offers before dispatch, the shoppers' requests and
-- the places each delivery day has left.
--
-- The offers (kind, price, currency, cut-off, daily capacity) as the admin API stores
-- them, a JSON array: a write to the shop's row bumps its version.
ALTER TABLE shops ADD COLUMN upgrade_offers TEXT NOT NULL DEFAULT '[]';

-- Places taken per shop, kind and delivery day: taken by one conditional update
-- (`taken < capacity`), like a delivery slot's, so two shoppers never take the last one.
CREATE TABLE upgrade_days (
    shop_id  INTEGER NOT NULL REFERENCES shops (id),
    kind     TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    taken    INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (shop_id, kind, day)
);

-- A shopper's request and the shop's answer. One waits or stands confirmed per order at
-- most; a refused one frees its place and may be followed by another.
CREATE TABLE order_upgrades (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('next_day', 'same_day', 'evening')),
    status        TEXT    NOT NULL CHECK (status IN ('requested', 'confirmed', 'refused')),
    price         INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    delivery_on   TEXT    NOT NULL,
    pay_url       TEXT,
    message       TEXT,
    requested_at  INTEGER NOT NULL,
    decided_at    INTEGER
);
CREATE UNIQUE INDEX order_upgrades_one_live ON order_upgrades (order_id)
    WHERE status IN ('requested', 'confirmed');
CREATE INDEX order_upgrades_by_order ON order_upgrades (order_id, requested_at);
CREATE INDEX order_upgrades_by_shop ON order_upgrades (shop_id, requested_at);

-- The order's view lists the follow-up and shows the confirmed day.
CREATE TRIGGER order_upgrades_added AFTER INSERT ON order_upgrades
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_upgrades_changed AFTER UPDATE ON order_upgrades
BEGIN
    UPDATE orders SET version = version + 1 WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER order_upgrades_removed AFTER DELETE ON order_upgrades
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;
