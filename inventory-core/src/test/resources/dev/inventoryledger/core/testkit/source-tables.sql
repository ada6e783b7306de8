-- How the ledger's oracle makes the article's five sources: as tables, which it fills with the events that
-- stand (ArticleSql.fillSourceTables). The article's CREATE SOURCE statements, with CREATE TABLE for
-- CREATE SOURCE ... WITH (connector ...) FORMAT PLAIN ENCODE JSON and TIMESTAMP WITH TIME ZONE for TIMESTAMPTZ.
-- Not the article's: two optional fields of the ledger's events (the README's event table) that only
-- hold-lifecycle-views.sql reads, an order's reservation_id and a held's expires_at; product_catalog, which the
-- article's reorder query joins but never defines; and cut, the instant a hold's expires_at is compared with.

-- Orders topic: fired when a customer places an order
CREATE TABLE orders_source (
order_id VARCHAR,
product_id VARCHAR,
warehouse_id VARCHAR,
quantity INT,
event_time TIMESTAMP WITH TIME ZONE,
reservation_id VARCHAR -- not the article's: the hold the order consumes
);

-- Cancellations topic: fired when an order is cancelled before shipment
CREATE TABLE cancellations_source (
order_id VARCHAR,
product_id VARCHAR,
warehouse_id VARCHAR,
quantity INT,
event_time TIMESTAMP WITH TIME ZONE
);

-- Returns topic: fired when a returned item is received back at the warehouse
CREATE TABLE returns_source (
return_id VARCHAR,
product_id VARCHAR,
warehouse_id VARCHAR,
quantity INT,
event_time TIMESTAMP WITH TIME ZONE
);

-- Receipts topic: fired when new stock arrives at a warehouse
CREATE TABLE receipts_source (
receipt_id VARCHAR,
product_id VARCHAR,
warehouse_id VARCHAR,
quantity INT,
event_time TIMESTAMP WITH TIME ZONE
);

CREATE TABLE reservations_source (
reservation_id VARCHAR,
product_id VARCHAR,
warehouse_id VARCHAR,
quantity INT,
status VARCHAR, -- 'held' or 'released'
event_time TIMESTAMP WITH TIME ZONE,
expires_at TIMESTAMP WITH TIME ZONE -- not the article's: when the hold lapses, if ever
);

CREATE TABLE product_catalog (product_id VARCHAR PRIMARY KEY, reorder_threshold INT);

-- One row: the ledger clock's instant (no event in core's properties carries an expires_at)
CREATE TABLE cut (at TIMESTAMP WITH TIME ZONE);
