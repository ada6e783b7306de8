-- The ledger's hold lifecycle, which refines the article's "held minus released": a hold line
-- (reservation_id, product, warehouse) counts, with its held quantity, iff its held event stands, neither a
-- released event nor an order carrying that reservation_id stands for the same product and warehouse, and it
-- has no expires_at or one after the cut. A release or a consuming order without a held contributes nothing.
-- Available stays the article's sum (a consuming order takes its own quantity, like any order).
-- Reads the five sources with an order's reservation_id and a held's expires_at, and a one-row cut(at): for
-- core's oracle the ledger clock's instant (its holds carry no expires_at, so the condition always holds); for
-- the replay the --as-of instant, else the latest event time.

CREATE VIEW active_hold_lines AS
SELECT h.reservation_id, h.product_id, h.warehouse_id, h.quantity
FROM reservations_source h
WHERE h.status = 'held'
  AND (h.expires_at IS NULL OR h.expires_at > (SELECT at FROM cut))
  AND NOT EXISTS (SELECT 1 FROM reservations_source r
                  WHERE r.status = 'released' AND r.reservation_id = h.reservation_id
                    AND r.product_id = h.product_id AND r.warehouse_id = h.warehouse_id)
  AND NOT EXISTS (SELECT 1 FROM orders_source o
                  WHERE o.reservation_id = h.reservation_id
                    AND o.product_id = h.product_id AND o.warehouse_id = h.warehouse_id);

CREATE VIEW lifecycle_positions AS
SELECT t.product_id, t.warehouse_id,
       COALESCE(li.available_quantity, 0) AS available_quantity,
       COALESCE(a.held_quantity, 0) AS held_quantity,
       COALESCE(li.available_quantity, 0) - COALESCE(a.held_quantity, 0) AS sellable_quantity,
       t.last_event_at
FROM last_event_time t
LEFT JOIN live_inventory li
       ON li.product_id = t.product_id AND li.warehouse_id = t.warehouse_id
LEFT JOIN (SELECT product_id, warehouse_id, SUM(quantity) AS held_quantity
           FROM active_hold_lines GROUP BY product_id, warehouse_id) a
       ON a.product_id = t.product_id AND a.warehouse_id = t.warehouse_id;
