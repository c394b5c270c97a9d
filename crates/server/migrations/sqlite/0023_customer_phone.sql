-- A customer's mobile number for shipping news by text: given by the shop with the order,
-- or by the shopper when they ask for texts. Erased with the customer.

ALTER TABLE customers ADD COLUMN phone TEXT;
