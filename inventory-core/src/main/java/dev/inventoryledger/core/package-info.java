/**
 * The live inventory ledger: {@link dev.inventoryledger.core.InventoryLedger} (the front door), the events it
 * applies ({@link dev.inventoryledger.core.InventoryEvent}), and the values it answers with
 * ({@link dev.inventoryledger.core.Position}, {@link dev.inventoryledger.core.ReservationResult},
 * {@link dev.inventoryledger.core.StockAlert}). Everything under {@code internal} is machinery, not API.
 */
package dev.inventoryledger.core;
