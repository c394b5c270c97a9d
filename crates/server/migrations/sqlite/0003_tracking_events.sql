-- Tracking: every carrier event of a shipment, once per carrier event id, and on the
-- shipment the status and carrier words of its latest event by time.
ALTER TABLE shipments ADD COLUMN carrier_code TEXT;
ALTER TABLE shipments ADD COLUMN carrier_text TEXT;
CREATE INDEX shipments_by_tracking ON shipments (carrier, tracking_number);

CREATE TABLE shipment_events (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    event_id    TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    text        TEXT,
    location    TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, event_id)
) WITHOUT ROWID;

CREATE INDEX shipment_events_by_time ON shipment_events (shipment_id, occurred_at);
