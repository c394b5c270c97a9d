-- How the shop's hosted order page looks: postpurchase_api::ShopTheme as JSON, NULL until set.
ALTER TABLE shops ADD COLUMN theme TEXT;
