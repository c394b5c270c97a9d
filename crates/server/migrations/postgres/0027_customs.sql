-- Parcels crossing a customs border: whether the shop ships duties paid or the shopper
-- pays on arrival (`paid` / `due`, as the parcel was registered), and what customs
-- charges as the carrier said it (a JSON object: amount, currency, pay_url), kept per
-- event and on the parcel from its latest event that said it.
ALTER TABLE shipments ADD COLUMN duties TEXT CHECK (duties IN ('paid', 'due'));
ALTER TABLE shipments ADD COLUMN duties_due TEXT;
ALTER TABLE shipment_events ADD COLUMN duties_due TEXT;
