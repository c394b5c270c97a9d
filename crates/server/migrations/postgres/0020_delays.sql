-- Late and stalled: a parcel the carrier has been quiet about for longer than the shop
-- allows, or past its expected window, is `delayed` with the reason (`no_news`, `late`);
-- the time of its latest carrier news by when it happened; an order's dispatch day and
-- when it was found not with a carrier by then (sent once as `order.stalled`).
ALTER TABLE shipments ADD COLUMN delay_reason TEXT;
ALTER TABLE shipments ADD COLUMN last_news_at BIGINT;
UPDATE shipments SET last_news_at =
    (SELECT max(occurred_at) FROM shipment_events e WHERE e.shipment_id = shipments.id);
ALTER TABLE orders ADD COLUMN dispatch_by TEXT;
ALTER TABLE orders ADD COLUMN stalled_at BIGINT;
ALTER TABLE shops ADD COLUMN no_news_days BIGINT NOT NULL DEFAULT 3;
ALTER TABLE shops ADD COLUMN dispatch_days BIGINT NOT NULL DEFAULT 2;
-- What the clock looks at: parcels still on their way, orders not yet seen stalled.
CREATE INDEX shipments_on_the_way ON shipments (status)
    WHERE status IN ('pending', 'in_transit', 'out_for_delivery', 'delayed', 'unknown');
CREATE INDEX orders_not_stalled ON orders (placed_at)
    WHERE stalled_at IS NULL AND NOT cancelled;
