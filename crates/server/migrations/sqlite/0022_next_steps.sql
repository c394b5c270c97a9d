-- What the widget says when a parcel goes wrong, and where one waits to be collected:
-- the shop's remedies for a lost or damaged parcel and for one that came back (with how
-- soon a refund arrives), how a delivery slot's price is paid, and the pickup details a
-- carrier event brings (as JSON: name, address, opening hours, collect-by, code), kept
-- with the event and copied to the parcel from its latest event, as its status is.

ALTER TABLE shops ADD COLUMN when_lost TEXT;
ALTER TABLE shops ADD COLUMN when_returned TEXT;
ALTER TABLE shops ADD COLUMN refund_days INTEGER;
ALTER TABLE shops ADD COLUMN slot_payment TEXT NOT NULL DEFAULT 'order_payment';
ALTER TABLE shipment_events ADD COLUMN pickup TEXT;
ALTER TABLE shipments ADD COLUMN pickup TEXT;
