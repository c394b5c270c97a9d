-- How often a parcel's choice changed in the current hour, for the cap on changes per
-- parcel and hour: the hour's start (Unix seconds) and the changes since.
ALTER TABLE shipments ADD COLUMN choice_window_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN choice_changes INTEGER NOT NULL DEFAULT 0;
