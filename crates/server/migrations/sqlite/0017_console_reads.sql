-- What the console reads and writes beyond the shopper's pages: a shop's orders newest
-- first, the shop's public answer under a review, and the shop's word on a return (why it
-- was rejected, say), which the shopper sees.

CREATE INDEX orders_by_shop_placed ON orders (shop_id, placed_at);

ALTER TABLE reviews ADD COLUMN reply TEXT;
ALTER TABLE reviews ADD COLUMN replied_at INTEGER;

ALTER TABLE returns ADD COLUMN shop_message TEXT;
