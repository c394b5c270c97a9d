-- Running for real: customers erased on request, webhooks tied to their order (so an
-- erasure reaches them too) and claimed by one server process at a time, and tokens
-- purged once expired.

-- When the customer was erased on request (GDPR art. 17), Unix seconds; NULL otherwise.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
-- The order a webhook is about, when it is about one.
ALTER TABLE webhook_deliveries ADD COLUMN order_id INTEGER REFERENCES orders (id);
CREATE INDEX webhook_deliveries_by_order ON webhook_deliveries (order_id);
-- Who is sending the delivery now: a random id per claim. Only the holder records the
-- outcome, so a delivery taken over after its lease ran out is recorded once.
ALTER TABLE webhook_deliveries ADD COLUMN lease TEXT;
CREATE INDEX order_tokens_by_expiry ON order_tokens (expires_at);
