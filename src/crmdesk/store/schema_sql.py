"""The SQL text of the released schema steps, exactly as each was released.

migrations.py runs them (its ladder says which step runs which); nothing here is ever edited
once released: a change to the schema is a new step. Pure text, no imports.
"""

V1_SQL = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'business')),
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    business_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    sort_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    phone_alt TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    whatsapp TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    likes TEXT NOT NULL DEFAULT '',
    dislikes TEXT NOT NULL DEFAULT '',
    diet TEXT NOT NULL DEFAULT '',
    sizes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'customer' CHECK (status IN ('prospect', 'customer', 'former')),
    source TEXT NOT NULL DEFAULT '',
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    keep_in_touch_days INTEGER,
    last_contact_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME
);
CREATE INDEX customer_live_sort ON customer (deleted_at, sort_name, id);
CREATE INDEX customer_status ON customer (status, deleted_at, sort_name);
CREATE INDEX customer_city ON customer (deleted_at, city COLLATE NOCASE, sort_name);
CREATE INDEX customer_last_contact ON customer (deleted_at, last_contact_at);

CREATE TABLE consent (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    channel TEXT NOT NULL,
    granted INTEGER NOT NULL DEFAULT 0,
    recorded_on DATE,
    source TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX consent_customer_channel ON consent (customer_id, channel);

CREATE TABLE tag (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE customer_tag (
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE RESTRICT,
    PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tag_by_tag ON customer_tag (tag_id, customer_id);

CREATE TABLE important_date (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL DEFAULT 'birthday' CHECK (kind IN ('birthday', 'anniversary', 'custom')),
    label TEXT NOT NULL DEFAULT '',
    day INTEGER NOT NULL CHECK (day BETWEEN 1 AND 31),
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    year INTEGER,
    lead_days INTEGER
);
CREATE INDEX important_date_customer ON important_date (customer_id);
CREATE INDEX important_date_month_day ON important_date (month, day);

CREATE TABLE interaction (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    channel TEXT NOT NULL DEFAULT 'visit',
    direction TEXT NOT NULL DEFAULT 'out' CHECK (direction IN ('in', 'out')),
    occurred_at DATETIME NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX interaction_customer_when ON interaction (customer_id, occurred_at);

CREATE TABLE follow_up (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    title TEXT NOT NULL DEFAULT '',
    due_on DATE NOT NULL,
    done_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX follow_up_customer ON follow_up (customer_id, done_at, due_on);
CREATE INDEX follow_up_open_due ON follow_up (done_at, due_on);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- "Last contacted" is derived from the conversation log, never typed.
CREATE TRIGGER interaction_after_insert AFTER INSERT ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = NEW.customer_id)
    WHERE id = NEW.customer_id;
END;
CREATE TRIGGER interaction_after_delete AFTER DELETE ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = OLD.customer_id)
    WHERE id = OLD.customer_id;
END;
CREATE TRIGGER interaction_after_update AFTER UPDATE OF occurred_at, customer_id ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = OLD.customer_id)
    WHERE id = OLD.customer_id;
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = NEW.customer_id)
    WHERE id = NEW.customer_id;
END;
"""


V3_SQL = """
CREATE TABLE appointment (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    starts_at DATETIME NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    lead_minutes INTEGER CHECK (lead_minutes IS NULL OR lead_minutes BETWEEN 0 AND 10080),
    created_at DATETIME NOT NULL,
    done_at DATETIME
);
CREATE INDEX appointment_starts ON appointment (starts_at);
CREATE INDEX appointment_customer ON appointment (customer_id, starts_at);

-- One row per occurrence of a reminder (its key says which), so a restart never repeats or
-- loses one. state NULL: only failed attempts so far (it is still due). No foreign key: this is
-- a log, and it must not stop a customer in Trash from being erased.
CREATE TABLE reminder_delivery (
    id INTEGER PRIMARY KEY,
    occurrence_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    occurs_on DATE NOT NULL,
    state TEXT CHECK (state IN ('shown', 'snoozed', 'dismissed', 'done')),
    snoozed_until DATETIME,
    updated_at DATETIME NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reminder_delivery_customer ON reminder_delivery (customer_id);
CREATE INDEX reminder_delivery_snoozed ON reminder_delivery (snoozed_until) WHERE state = 'snoozed';

-- The reminder check reads dates by day without touching the table rows.
CREATE INDEX important_date_remind ON important_date (month, day, lead_days, kind, customer_id);
-- Dates with their own lead time, found without reading every date.
CREATE INDEX important_date_lead ON important_date (lead_days, month, day)
    WHERE lead_days IS NOT NULL;
-- Keep-in-touch: when each customer becomes overdue (core/reminders.py uses this expression).
CREATE INDEX customer_touch_due
    ON customer (julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days)
    WHERE keep_in_touch_days IS NOT NULL AND deleted_at IS NULL AND do_not_contact = 0;
"""


V4_SQL = """
-- What the shop sells: the owner's own list (free text on a sale is fine too).
CREATE TABLE category (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    archived INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE product (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    category_id INTEGER REFERENCES category (id) ON DELETE SET NULL,
    price_minor INTEGER,
    archived INTEGER NOT NULL DEFAULT 0
);

-- A sale. Money in integer minor units (cents, pence) of `currency`, never floats.
-- customer_id becomes NULL only when a customer row is erased for good (Empty Trash): the sale
-- stays, anonymous, in the shop's figures. Trash and "forget this person" keep it linked.
CREATE TABLE purchase (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customer (id) ON DELETE SET NULL,
    purchased_on DATE NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    import_batch TEXT,
    created_at DATETIME NOT NULL
);
CREATE INDEX purchase_customer ON purchase (customer_id, purchased_on, total_minor);
CREATE INDEX purchase_day ON purchase (purchased_on, customer_id, total_minor);
CREATE INDEX purchase_import ON purchase (import_batch) WHERE import_batch IS NOT NULL;

-- The lines of a sale. customer_id and purchased_on repeat the sale's own (kept equal by
-- core/sales.py) so "bought X in the last N days" is one index range.
CREATE TABLE purchase_item (
    id INTEGER PRIMARY KEY,
    purchase_id INTEGER NOT NULL REFERENCES purchase (id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customer (id) ON DELETE SET NULL,
    purchased_on DATE NOT NULL,
    product_id INTEGER REFERENCES product (id) ON DELETE SET NULL,
    category_id INTEGER REFERENCES category (id) ON DELETE SET NULL,
    description TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL DEFAULT 1,
    amount_minor INTEGER
);
CREATE INDEX purchase_item_purchase ON purchase_item (purchase_id);
CREATE INDEX purchase_item_category ON purchase_item (category_id, purchased_on, customer_id);
CREATE INDEX purchase_item_product ON purchase_item (product_id, purchased_on, customer_id);
CREATE INDEX purchase_item_customer ON purchase_item (customer_id, category_id);

-- Loyalty: points or stamps earned (positive) and rewards redeemed (negative), a ledger.
CREATE TABLE loyalty_entry (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    purchase_id INTEGER REFERENCES purchase (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust')),
    points INTEGER NOT NULL,
    reward TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX loyalty_entry_customer ON loyalty_entry (customer_id, created_at);
CREATE INDEX loyalty_entry_purchase ON loyalty_entry (purchase_id) WHERE purchase_id IS NOT NULL;

-- One row per customer who ever bought or earned: kept by the triggers below, so lists,
-- segments and the dashboard never add up a million sales to answer "how much has she spent".
-- The RFM scores (1-5) and segment are written by core (a whole-book recomputation).
CREATE TABLE customer_sales (
    customer_id INTEGER PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE,
    purchases INTEGER NOT NULL DEFAULT 0,
    total_minor INTEGER NOT NULL DEFAULT 0,
    first_purchase_on DATE,
    last_purchase_on DATE,
    loyalty_balance INTEGER NOT NULL DEFAULT 0,
    r_score INTEGER,
    f_score INTEGER,
    m_score INTEGER,
    rfm_segment TEXT
);
CREATE INDEX customer_sales_total ON customer_sales (total_minor);
CREATE INDEX customer_sales_last ON customer_sales (last_purchase_on);
CREATE INDEX customer_sales_rfm ON customer_sales (rfm_segment);
CREATE INDEX customer_sales_loyalty ON customer_sales (loyalty_balance) WHERE loyalty_balance > 0;

CREATE TRIGGER purchase_after_insert AFTER INSERT ON purchase
WHEN new.customer_id IS NOT NULL BEGIN
    INSERT INTO customer_sales (customer_id, purchases, total_minor, first_purchase_on,
                                last_purchase_on)
    VALUES (new.customer_id, 1, new.total_minor, new.purchased_on, new.purchased_on)
    ON CONFLICT (customer_id) DO UPDATE SET
        purchases = purchases + 1,
        total_minor = total_minor + excluded.total_minor,
        first_purchase_on = CASE WHEN first_purchase_on IS NULL
            OR excluded.first_purchase_on < first_purchase_on
            THEN excluded.first_purchase_on ELSE first_purchase_on END,
        last_purchase_on = CASE WHEN last_purchase_on IS NULL
            OR excluded.last_purchase_on > last_purchase_on
            THEN excluded.last_purchase_on ELSE last_purchase_on END;
END;
CREATE TRIGGER purchase_after_delete AFTER DELETE ON purchase
WHEN old.customer_id IS NOT NULL BEGIN
    UPDATE customer_sales SET
        purchases = (SELECT COUNT(*) FROM purchase WHERE customer_id = old.customer_id),
        total_minor = (SELECT COALESCE(SUM(total_minor), 0) FROM purchase
                       WHERE customer_id = old.customer_id),
        first_purchase_on = (SELECT MIN(purchased_on) FROM purchase
                             WHERE customer_id = old.customer_id),
        last_purchase_on = (SELECT MAX(purchased_on) FROM purchase
                            WHERE customer_id = old.customer_id)
    WHERE customer_id = old.customer_id;
END;
CREATE TRIGGER purchase_after_update AFTER UPDATE OF customer_id, purchased_on, total_minor
ON purchase BEGIN
    INSERT INTO customer_sales (customer_id) SELECT new.customer_id
        WHERE new.customer_id IS NOT NULL
        ON CONFLICT (customer_id) DO NOTHING;
    UPDATE customer_sales SET
        purchases = (SELECT COUNT(*) FROM purchase WHERE customer_id = customer_sales.customer_id),
        total_minor = (SELECT COALESCE(SUM(total_minor), 0) FROM purchase
                       WHERE customer_id = customer_sales.customer_id),
        first_purchase_on = (SELECT MIN(purchased_on) FROM purchase
                             WHERE customer_id = customer_sales.customer_id),
        last_purchase_on = (SELECT MAX(purchased_on) FROM purchase
                            WHERE customer_id = customer_sales.customer_id)
    WHERE customer_id IN (old.customer_id, new.customer_id);
END;
CREATE TRIGGER loyalty_after_insert AFTER INSERT ON loyalty_entry BEGIN
    INSERT INTO customer_sales (customer_id, loyalty_balance)
    VALUES (new.customer_id, new.points)
    ON CONFLICT (customer_id) DO UPDATE SET loyalty_balance = loyalty_balance + new.points;
END;
CREATE TRIGGER loyalty_after_delete AFTER DELETE ON loyalty_entry BEGIN
    UPDATE customer_sales SET loyalty_balance = loyalty_balance - old.points
    WHERE customer_id = old.customer_id;
END;

-- Saved filters ("bought vegetarian in the last 90 days"): rules as JSON (core/segments.py).
CREATE TABLE segment (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    rules TEXT NOT NULL DEFAULT '{}',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
"""


V5_SQL = """
-- The reminder check asks, for each occurrence that has come due, whether its key is recorded
-- and in which state: this answers from the index alone, without reading the row
-- (core/reminders.py names it with INDEXED BY; the unique key index would read every row).
CREATE INDEX reminder_delivery_state ON reminder_delivery (occurrence_key, state, snoozed_until);
-- Keep-in-touch: customer_touch_due with each lapse's reminder key beside when it falls due,
-- so the check reads the key instead of building it for thousands of customers (the
-- expressions are core/reminders.py's, written the same way so SQLite matches them).
CREATE INDEX customer_touch_key ON customer (
    julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days,
    'keep_in_touch:' || id || ':'
        || date(julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days))
    WHERE keep_in_touch_days IS NOT NULL AND deleted_at IS NULL AND do_not_contact = 0;
"""


V6_SQL = """
-- The phone fields whose number could not be checked and is kept as written ("phone whatsapp",
-- core/phones.py mark). Books from before were all checked: '' is right for them.
ALTER TABLE customer ADD COLUMN phone_check TEXT NOT NULL DEFAULT '';
-- The customer list's "phone to check" filter, in name order, without reading every customer
-- (core/customer_list.py writes the same condition so SQLite uses this index).
CREATE INDEX customer_phone_check ON customer (deleted_at, sort_name, id)
    WHERE phone_check <> '';
"""


# The customers whose search row holds a letter that search now writes as plain ones (ø, æ,
# œ, ß, ł, đ, þ, ð and their capitals): only their rows are built again. On the 100,000-customer
# demo book (9,000 such customers) the step takes 3 s; rebuilding every row took 14 s.
V6_FOLDED_SQL = """
SELECT id FROM customer WHERE (first_name || ' ' || last_name || ' ' || business_name || ' '
    || display_name || ' ' || email || ' ' || city || ' ' || postcode || ' ' || country || ' '
    || address || ' ' || notes || ' ' || likes || ' ' || dislikes || ' ' || diet || ' '
    || sizes || ' ' || source) GLOB '*[øØæÆœŒßẞłŁđĐþÞðÐ]*'
UNION
SELECT ct.customer_id FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id
    WHERE t.name GLOB '*[øØæÆœŒßẞłŁđĐþÞðÐ]*'
"""
