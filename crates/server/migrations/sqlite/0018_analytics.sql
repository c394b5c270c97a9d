-- The widget's few anonymous events: counted per order, day (the shop's time zone), event
-- and module, with no cookie and nothing about the person. A shop can switch them off.
-- No trigger bumps an order's version here: a visit does not change what the order shows.

ALTER TABLE shops ADD COLUMN events_enabled INTEGER NOT NULL DEFAULT 1;

CREATE TABLE widget_events (
    shop_id  INTEGER NOT NULL REFERENCES shops (id),
    order_id INTEGER NOT NULL REFERENCES orders (id),
    day      TEXT    NOT NULL,
    event    TEXT    NOT NULL,
    module   TEXT    NOT NULL DEFAULT '',
    count    INTEGER NOT NULL,
    PRIMARY KEY (order_id, day, event, module)
) WITHOUT ROWID;
CREATE INDEX widget_events_by_day ON widget_events (shop_id, day);
