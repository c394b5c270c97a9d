-- Cancelling an order or fixing its address before it ships.
--
-- The shop says what shoppers may ask and for how long after ordering (no window: until
-- picking starts); its own "picking started" signal and any parcel close asking too.
ALTER TABLE shops ADD COLUMN changes_cancel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN changes_address INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN change_window_minutes INTEGER;
ALTER TABLE orders ADD COLUMN picking_started_at INTEGER;

-- A shopper's request and the shop's answer. One waits per order at most; a parcel
-- registered before the answer marks it 'shipped'. The address columns are kept only for
-- an address change (and blanked when the customer is erased).
CREATE TABLE order_changes (
    id            INTEGER PRIMARY KEY,
    -- What the admin API names it by: random.
    key           TEXT    NOT NULL UNIQUE,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('cancel', 'address')),
    status        TEXT    NOT NULL CHECK (status IN ('requested', 'accepted', 'refused', 'shipped')),
    name          TEXT,
    street        TEXT,
    house_number  TEXT,
    postcode      TEXT,
    city          TEXT,
    message       TEXT,
    requested_at  INTEGER NOT NULL,
    decided_at    INTEGER
);
CREATE UNIQUE INDEX order_changes_one_waiting ON order_changes (order_id)
    WHERE status = 'requested';
CREATE INDEX order_changes_by_order ON order_changes (order_id, requested_at);
CREATE INDEX order_changes_by_shop ON order_changes (shop_id, requested_at);

-- The order's view shows its latest request.
CREATE TRIGGER order_changes_added AFTER INSERT ON order_changes
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_changes_changed AFTER UPDATE ON order_changes
BEGIN
    UPDATE orders SET version = version + 1 WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER order_changes_removed AFTER DELETE ON order_changes
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;
