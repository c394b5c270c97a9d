-- Exchanges: order lines name their product, the shop keeps the stock of each variant,
-- and a returned item may be exchanged for another variant of the same product.

ALTER TABLE order_items ADD COLUMN product TEXT;

CREATE TABLE inventory (
    shop_id INTEGER NOT NULL REFERENCES shops (id),
    sku     TEXT    NOT NULL,
    product TEXT    NOT NULL,
    variant TEXT    NOT NULL,
    stock   INTEGER NOT NULL CHECK (stock >= 0),
    PRIMARY KEY (shop_id, sku)
) WITHOUT ROWID;
CREATE INDEX inventory_by_product ON inventory (shop_id, product);

ALTER TABLE return_items ADD COLUMN exchange_sku TEXT;
