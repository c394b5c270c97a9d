-- Returns a parcel can travel with: where the shop takes them back and how many days a
-- shopper has to send one, and a carrier's label the shop's shipping tool made for a
-- return (an https address), which the shopper then gets instead of the printable page.

ALTER TABLE shops ADD COLUMN return_address TEXT;
ALTER TABLE shops ADD COLUMN return_send_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE returns ADD COLUMN carrier_label_url TEXT;
