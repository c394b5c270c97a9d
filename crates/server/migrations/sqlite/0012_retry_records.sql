-- A shopper's retried request keeps what its replay needs, not its whole answer: the
-- resource it made (a return), or nothing when the answer is the order as it now is.
-- `body` stays for records made before; new records leave it empty.
ALTER TABLE shopper_requests ADD COLUMN resource_id INTEGER;
