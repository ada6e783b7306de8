-- Not from the article: what the ledger adds to it, each stated in SQL.
-- last_event_time: the ledger's lastUpdated is the greatest event time of ANY applied event, reservations
--   included (the article's last_updated_at looks at the four stock sources).
-- reservation_only_holds: positions that only reservation events touched. The ledger has a position for them
--   (available 0); the article has none, because live_inventory comes from stock events only and
--   live_inventory_with_holds LEFT JOINs from it. Their held is the article's own held expression over the
--   same rows.
-- article_positions: the article's answer with both added, one row a position the ledger has.

CREATE VIEW last_event_time AS
SELECT product_id, warehouse_id, MAX(event_time) AS last_event_at FROM (
  SELECT product_id, warehouse_id, event_time FROM orders_source
  UNION ALL SELECT product_id, warehouse_id, event_time FROM cancellations_source
  UNION ALL SELECT product_id, warehouse_id, event_time FROM returns_source
  UNION ALL SELECT product_id, warehouse_id, event_time FROM receipts_source
  UNION ALL SELECT product_id, warehouse_id, event_time FROM reservations_source
) e
GROUP BY product_id, warehouse_id;

CREATE VIEW reservation_only_holds AS
SELECT r.product_id, r.warehouse_id,
       SUM(CASE WHEN status = 'held' THEN quantity
                WHEN status = 'released' THEN -quantity
                ELSE 0 END) AS held_quantity
FROM reservations_source r
WHERE NOT EXISTS (SELECT 1 FROM live_inventory li
                  WHERE li.product_id = r.product_id AND li.warehouse_id = r.warehouse_id)
GROUP BY r.product_id, r.warehouse_id;

CREATE VIEW article_positions AS
SELECT a.product_id, a.warehouse_id, a.available_quantity, a.held_quantity, a.sellable_quantity,
       t.last_event_at
FROM live_inventory_with_holds a
JOIN last_event_time t ON t.product_id = a.product_id AND t.warehouse_id = a.warehouse_id
UNION ALL
SELECT r.product_id, r.warehouse_id, 0, r.held_quantity, -r.held_quantity, t.last_event_at
FROM reservation_only_holds r
JOIN last_event_time t ON t.product_id = r.product_id AND t.warehouse_id = r.warehouse_id;
