-- Tracking feeds: each source's signing secret per shop (kept as given: a signature is
-- checked against it, so it cannot be hashed), and parcels found by tracking number
-- alone, as sources name them.

CREATE TABLE feed_secrets (
    shop_id INTEGER NOT NULL REFERENCES shops (id),
    source  TEXT   NOT NULL,
    secret  TEXT   NOT NULL,
    PRIMARY KEY (shop_id, source)
);
CREATE INDEX shipments_by_tracking_number ON shipments (tracking_number);
