-- The ledger's hold lifecycle (the README, "What the core does"), which refines the article's "held minus
-- released" where those sums would show more sellable than there is. A hold line is (reservation_id,
-- product, warehouse); its releases are every released event that stands for it (a line's later releases
-- carry event_ids of their own), summed:
-- - it counts held - released while its held stands, released < held, no order carrying that reservation_id
--   stands for the same product and warehouse, and it has no expires_at or one after the cut: a partial
--   release leaves the rest held, with the same expiry;
-- - releases of as many units as held or more end it; of more (over_released_lines) the ledger reports as a
--   conflict, because the extra cannot be un-held (the article's sum would count a negative hold);
-- - releases and consuming orders without a held count nothing, whichever order they come in.
-- Available stays the article's sum (a consuming order takes its own quantity, like any order).
-- Reads the five sources with an order's reservation_id and a held's expires_at, and a one-row cut(at): for
-- core's oracle the ledger clock's instant (its holds carry no expires_at, so the condition always holds); for
-- the replay the --as-of instant, else the latest event time.

CREATE VIEW line_releases AS
SELECT reservation_id, product_id, warehouse_id, SUM(quantity) AS released_quantity
FROM reservations_source
WHERE status = 'released'
GROUP BY reservation_id, product_id, warehouse_id;

CREATE VIEW active_hold_lines AS
SELECT h.reservation_id, h.product_id, h.warehouse_id,
       h.quantity - COALESCE(r.released_quantity, 0) AS quantity
FROM reservations_source h
LEFT JOIN line_releases r
       ON r.reservation_id = h.reservation_id AND r.product_id = h.product_id AND r.warehouse_id = h.warehouse_id
WHERE h.status = 'held'
  AND COALESCE(r.released_quantity, 0) < h.quantity
  AND (h.expires_at IS NULL OR h.expires_at > (SELECT at FROM cut))
  AND NOT EXISTS (SELECT 1 FROM orders_source o
                  WHERE o.reservation_id = h.reservation_id
                    AND o.product_id = h.product_id AND o.warehouse_id = h.warehouse_id);

CREATE VIEW over_released_lines AS
SELECT h.reservation_id, h.product_id, h.warehouse_id, h.quantity AS held_quantity, r.released_quantity
FROM reservations_source h
JOIN line_releases r
  ON r.reservation_id = h.reservation_id AND r.product_id = h.product_id AND r.warehouse_id = h.warehouse_id
WHERE h.status = 'held'
  AND r.released_quantity > h.quantity;

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
