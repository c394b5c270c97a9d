-- Loyalty and the next purchase, and the unboxing: the shop's settings for each (JSON of
-- postpurchase_api::LoyaltySettings / UnboxingSettings, NULL until set; writing them
-- bumps the shop's version, as every write to its row), and per order what the shop's own
-- loyalty system fed and the voucher the shop's rule made on first showing. Nothing in
-- `order_loyalty` is shown in the order's view itself (only on `…/loyalty`), so its
-- writes leave the order's version alone.
ALTER TABLE shops ADD COLUMN loyalty_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE shops ADD COLUMN loyalty_settings TEXT;
ALTER TABLE shops ADD COLUMN unboxing_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE shops ADD COLUMN unboxing_settings TEXT;

CREATE TABLE order_loyalty (
    order_id     BIGINT PRIMARY KEY REFERENCES orders (id),
    shop_id      BIGINT  NOT NULL REFERENCES shops (id),
    -- Fed by the shop: points earned, the balance after the order, a voucher (JSON).
    earned       BIGINT,
    balance      BIGINT,
    voucher      TEXT,
    -- The rule's voucher (JSON), made once, and its code (unique in the shop).
    made_voucher TEXT,
    made_code    TEXT,
    updated_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX order_loyalty_made_codes ON order_loyalty (shop_id, made_code);
