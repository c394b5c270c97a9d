-- Surveys and preferences: NPS once per order, "how did you hear about us" once per
-- customer, and the customer's notification preferences for shipping news.

ALTER TABLE shops ADD COLUMN survey_enabled INTEGER NOT NULL DEFAULT 0;
-- The shop's answers to "how did you hear about us", one per line ("other" is always there).
ALTER TABLE shops ADD COLUMN heard_options TEXT NOT NULL DEFAULT '';

CREATE TABLE nps_answers (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     TEXT,
    answered_at INTEGER NOT NULL
);

CREATE TABLE heard_answers (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    option      TEXT    NOT NULL,
    other       TEXT,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    answered_at INTEGER NOT NULL
);

CREATE TABLE notification_preferences (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    email       INTEGER NOT NULL,
    sms         INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
