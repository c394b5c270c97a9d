-- A version per order and per shop, bumped by the database itself in every transaction
-- that changes a row the shopper's view of an order is built from, so a view kept in
-- memory is known stale by reading two numbers. The order's own rows (the order, its
-- lines, parcels, parcel lines, events, its customer and whether they ordered before)
-- bump the order; the shop's (its settings, slots and their places, pickup points) bump
-- the shop. Triggers rather than application code: a write added later cannot forget.
ALTER TABLE orders ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE shops ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- The order's or shop's own row: bumped in the same row write.
CREATE FUNCTION bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER orders_changed BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION bump_own_version();
CREATE TRIGGER shops_changed BEFORE UPDATE ON shops
    FOR EACH ROW EXECUTE FUNCTION bump_own_version();

-- "Ordered before" in a view depends on the customer's other orders.
CREATE FUNCTION bump_customers_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE orders SET version = version + 1
        WHERE customer_id = NEW.customer_id AND id <> NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE orders SET version = version + 1 WHERE customer_id = OLD.customer_id;
    ELSE
        UPDATE orders SET version = version + 1 WHERE customer_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_added_or_removed AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION bump_customers_orders();
CREATE TRIGGER customers_changed AFTER UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION bump_customers_orders();

-- Rows with an order_id: order lines and parcels.
CREATE FUNCTION bump_order_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE orders SET version = version + 1 WHERE id = OLD.order_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.order_id <> OLD.order_id) THEN
        UPDATE orders SET version = version + 1 WHERE id = NEW.order_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER order_items_changed AFTER INSERT OR UPDATE OR DELETE ON order_items
    FOR EACH ROW EXECUTE FUNCTION bump_order_of_row();
CREATE TRIGGER shipments_changed AFTER INSERT OR UPDATE OR DELETE ON shipments
    FOR EACH ROW EXECUTE FUNCTION bump_order_of_row();

-- Rows with a shipment_id: parcel lines and events.
CREATE FUNCTION bump_order_of_parcel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE orders SET version = version + 1
        WHERE id = (SELECT order_id FROM shipments WHERE id = OLD.shipment_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.shipment_id <> OLD.shipment_id) THEN
        UPDATE orders SET version = version + 1
        WHERE id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER shipment_items_changed AFTER INSERT OR UPDATE OR DELETE ON shipment_items
    FOR EACH ROW EXECUTE FUNCTION bump_order_of_parcel();
CREATE TRIGGER shipment_events_changed AFTER INSERT OR UPDATE OR DELETE ON shipment_events
    FOR EACH ROW EXECUTE FUNCTION bump_order_of_parcel();

-- Rows with a shop_id the view shows: slots (and their places) and pickup points.
CREATE FUNCTION bump_shop_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE shops SET version = version + 1 WHERE id = OLD.shop_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.shop_id <> OLD.shop_id) THEN
        UPDATE shops SET version = version + 1 WHERE id = NEW.shop_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER delivery_slots_changed AFTER INSERT OR UPDATE OR DELETE ON delivery_slots
    FOR EACH ROW EXECUTE FUNCTION bump_shop_of_row();
CREATE TRIGGER pickup_points_changed AFTER INSERT OR UPDATE OR DELETE ON pickup_points
    FOR EACH ROW EXECUTE FUNCTION bump_shop_of_row();
