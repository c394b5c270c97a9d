-- How many of an order line are in parcels already (registering a parcel, returns): found
-- by the line, not by reading every parcel line of every shop.
CREATE INDEX shipment_items_by_line ON shipment_items (order_item_id);
