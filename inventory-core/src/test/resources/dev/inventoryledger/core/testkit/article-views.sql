-- The article's two materialized views (reference/streaming-inventory-article.txt), verbatim but for
-- MATERIALIZED: H2 has plain views. They read the article's five sources, however those are made.

CREATE VIEW live_inventory AS
WITH inventory_events AS (
-- Orders reduce inventory
SELECT
product_id,
warehouse_id,
-quantity AS quantity_delta,
event_time
FROM orders_source
UNION ALL
-- Cancellations restore inventory
SELECT
product_id,
warehouse_id,
quantity AS quantity_delta,
event_time
FROM cancellations_source
UNION ALL
-- Returns restore inventory
SELECT
product_id,
warehouse_id,
quantity AS quantity_delta,
event_time
FROM returns_source
UNION ALL
-- Warehouse receipts add inventory
SELECT
product_id,
warehouse_id,
quantity AS quantity_delta,
event_time
FROM receipts_source
)
SELECT
product_id,
warehouse_id,
SUM(quantity_delta) AS available_quantity,
MAX(event_time) AS last_updated_at
FROM inventory_events
GROUP BY product_id, warehouse_id;

CREATE VIEW live_inventory_with_holds AS
SELECT
li.product_id,
li.warehouse_id,
li.available_quantity,
COALESCE(r.held_quantity, 0) AS held_quantity,
li.available_quantity - COALESCE(r.held_quantity, 0) AS sellable_quantity
FROM live_inventory li
LEFT JOIN (
SELECT
product_id,
warehouse_id,
SUM(CASE WHEN status = 'held' THEN quantity
WHEN status = 'released' THEN -quantity
ELSE 0 END) AS held_quantity
FROM reservations_source
GROUP BY product_id, warehouse_id
) r ON li.product_id = r.product_id
AND li.warehouse_id = r.warehouse_id;
