-- Return reasons that fit the product, the shop's words in other languages, and photos of
-- what a shopper reviews or returns.
--
-- An order line may name its kind of product; the shop gives reasons per kind (a JSON
-- object of kind → reasons) and the reasons that take photos (one per line).
ALTER TABLE order_items ADD COLUMN product_type TEXT;
ALTER TABLE shops ADD COLUMN return_reasons_by_type TEXT NOT NULL DEFAULT '{}';
ALTER TABLE shops ADD COLUMN return_photo_reasons TEXT NOT NULL DEFAULT '';
-- The shop's own words in other languages: a JSON object of language → its words as the
-- settings write them → how they read in that language.
ALTER TABLE shops ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';

-- A photo lives in the database, so every process serves it. It comes in for an order,
-- is checked and cleaned of its metadata, and is then attached to one review or one
-- returned item; one left unattached for a day is deleted.
CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    -- What the API names it by: random, unguessable.
    key           TEXT    NOT NULL UNIQUE,
    shop_id       INTEGER NOT NULL REFERENCES shops (id),
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    -- SHA-256 of the bytes as sent: the same photo sent again is the one already here.
    digest        BLOB    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('jpeg', 'png', 'webp')),
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    review_id     INTEGER REFERENCES reviews (id),
    return_id     INTEGER REFERENCES returns (id),
    order_item_id INTEGER REFERENCES order_items (id),
    position      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX photos_unattached_by_digest ON photos (order_id, digest)
    WHERE review_id IS NULL AND return_id IS NULL;
CREATE INDEX photos_by_order ON photos (order_id);
CREATE INDEX photos_by_review ON photos (review_id) WHERE review_id IS NOT NULL;
CREATE INDEX photos_by_return ON photos (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX photos_unattached ON photos (created_at)
    WHERE review_id IS NULL AND return_id IS NULL;
