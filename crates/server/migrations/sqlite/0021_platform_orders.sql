-- Orders in from shop platforms (WooCommerce, Shopware, Shopify): which of the shop's
-- orders each platform order became, by the platform's own id (not the number it
-- prints, which a shop may change), so an update or a retry finds it; and each delivery
-- the platform names with an id of its own, so a replay of it changes nothing. The
-- platforms' secrets live in `feed_secrets` under their names.

CREATE TABLE platform_orders (
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    platform    TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    PRIMARY KEY (shop_id, platform, external_id)
);
CREATE INDEX platform_orders_by_order ON platform_orders (order_id);

CREATE TABLE platform_deliveries (
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    platform    TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    order_id    INTEGER REFERENCES orders (id),
    received_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, platform, delivery_id)
);
