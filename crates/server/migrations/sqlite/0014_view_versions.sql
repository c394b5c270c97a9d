-- A version per order and per shop, bumped by the database itself in every transaction
-- that changes a row the shopper's view of an order is built from, so a view kept in
-- memory is known stale by reading two numbers. The order's own rows (the order, its
-- lines, parcels, parcel lines, events, its customer and whether they ordered before)
-- bump the order; the shop's (its settings, slots and their places, pickup points) bump
-- the shop. Triggers rather than application code: a write added later cannot forget.
ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shops ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER orders_changed AFTER UPDATE ON orders
WHEN NEW.version = OLD.version
BEGIN
    UPDATE orders SET version = OLD.version + 1 WHERE id = NEW.id;
END;

-- "Ordered before" in a view depends on the customer's other orders.
CREATE TRIGGER orders_added AFTER INSERT ON orders
BEGIN
    UPDATE orders SET version = version + 1
    WHERE customer_id = NEW.customer_id AND id <> NEW.id;
END;
CREATE TRIGGER orders_removed AFTER DELETE ON orders
BEGIN
    UPDATE orders SET version = version + 1 WHERE customer_id = OLD.customer_id;
END;

CREATE TRIGGER customers_changed AFTER UPDATE ON customers
BEGIN
    UPDATE orders SET version = version + 1 WHERE customer_id = NEW.id;
END;

CREATE TRIGGER order_items_added AFTER INSERT ON order_items
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_items_changed AFTER UPDATE ON order_items
BEGIN
    UPDATE orders SET version = version + 1 WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER order_items_removed AFTER DELETE ON order_items
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;

CREATE TRIGGER shipments_added AFTER INSERT ON shipments
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
END;
CREATE TRIGGER shipments_changed AFTER UPDATE ON shipments
BEGIN
    UPDATE orders SET version = version + 1 WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER shipments_removed AFTER DELETE ON shipments
BEGIN
    UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
END;

CREATE TRIGGER shipment_items_added AFTER INSERT ON shipment_items
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id);
END;
CREATE TRIGGER shipment_items_changed AFTER UPDATE ON shipment_items
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id IN (SELECT order_id FROM shipments WHERE id IN (OLD.shipment_id, NEW.shipment_id));
END;
CREATE TRIGGER shipment_items_removed AFTER DELETE ON shipment_items
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id = (SELECT order_id FROM shipments WHERE id = OLD.shipment_id);
END;

CREATE TRIGGER shipment_events_added AFTER INSERT ON shipment_events
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id);
END;
CREATE TRIGGER shipment_events_changed AFTER UPDATE ON shipment_events
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id IN (SELECT order_id FROM shipments WHERE id IN (OLD.shipment_id, NEW.shipment_id));
END;
CREATE TRIGGER shipment_events_removed AFTER DELETE ON shipment_events
BEGIN
    UPDATE orders SET version = version + 1
    WHERE id = (SELECT order_id FROM shipments WHERE id = OLD.shipment_id);
END;

CREATE TRIGGER shops_changed AFTER UPDATE ON shops
WHEN NEW.version = OLD.version
BEGIN
    UPDATE shops SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER delivery_slots_added AFTER INSERT ON delivery_slots
BEGIN
    UPDATE shops SET version = version + 1 WHERE id = NEW.shop_id;
END;
CREATE TRIGGER delivery_slots_changed AFTER UPDATE ON delivery_slots
BEGIN
    UPDATE shops SET version = version + 1 WHERE id IN (OLD.shop_id, NEW.shop_id);
END;
CREATE TRIGGER delivery_slots_removed AFTER DELETE ON delivery_slots
BEGIN
    UPDATE shops SET version = version + 1 WHERE id = OLD.shop_id;
END;

CREATE TRIGGER pickup_points_added AFTER INSERT ON pickup_points
BEGIN
    UPDATE shops SET version = version + 1 WHERE id = NEW.shop_id;
END;
CREATE TRIGGER pickup_points_changed AFTER UPDATE ON pickup_points
BEGIN
    UPDATE shops SET version = version + 1 WHERE id IN (OLD.shop_id, NEW.shop_id);
END;
CREATE TRIGGER pickup_points_removed AFTER DELETE ON pickup_points
BEGIN
    UPDATE shops SET version = version + 1 WHERE id = OLD.shop_id;
END;
