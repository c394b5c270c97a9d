-- Order creation is safe to retry: a merchant's `Idempotency-Key` remembers which order
-- a request made, and the request's hash. Keys are forgotten after a day.
CREATE TABLE idempotency_keys (
    shop_id      BIGINT NOT NULL REFERENCES shops (id),
    key          TEXT   NOT NULL,
    request_hash BYTEA  NOT NULL,
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
