-- Order creation is safe to retry: a merchant's `Idempotency-Key` remembers which order
-- a request made, and the request's hash, so a retry finds the same order and a different
-- request under the same key is refused. Keys are forgotten after a day.
CREATE TABLE idempotency_keys (
    shop_id      INTEGER NOT NULL REFERENCES shops (id),
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (shop_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
