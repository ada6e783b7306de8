/**
 * The ledger's machinery: per-product state and locks, identity memory, hold lines. Not API: may change in
 * any release.
 */
package dev.inventoryledger.core.internal;
