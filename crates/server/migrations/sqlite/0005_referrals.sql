-- Referrals: each customer's own code per shop, and the codes redeemed by new customers.

ALTER TABLE shops ADD COLUMN referral_enabled INTEGER NOT NULL DEFAULT 0;
-- postpurchase_api::ReferralSettings as JSON (share URL and rewards), NULL until set.
ALTER TABLE shops ADD COLUMN referral_terms TEXT;

CREATE TABLE referral_codes (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    code        TEXT    NOT NULL,
    -- The order whose page first showed the code.
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (shop_id, code)
);
CREATE INDEX referral_codes_by_code ON referral_codes (code);

CREATE TABLE referral_redemptions (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops (id),
    customer_id INTEGER NOT NULL REFERENCES referral_codes (customer_id),
    -- SHA-256 of the new customer's lower-cased e-mail: one redemption each, per shop.
    email_hash  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (shop_id, email_hash)
);
CREATE INDEX referral_redemptions_by_code ON referral_redemptions (customer_id);
