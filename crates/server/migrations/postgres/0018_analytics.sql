-- The widget's few anonymous events: counted per order, day (the shop's time zone), event
-- and module, with no cookie and nothing about the person. A shop can switch them off.
-- No trigger bumps an order's version here: a visit does not change what the order shows.

ALTER TABLE shops ADD COLUMN events_enabled BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE widget_events (
    shop_id  BIGINT  NOT NULL REFERENCES shops (id),
    order_id BIGINT  NOT NULL REFERENCES orders (id),
    day      TEXT    NOT NULL,
    event    TEXT    NOT NULL,
    module   TEXT    NOT NULL DEFAULT '',
    count    BIGINT  NOT NULL,
    PRIMARY KEY (order_id, day, event, module)
);
CREATE INDEX widget_events_by_day ON widget_events (shop_id, day);
