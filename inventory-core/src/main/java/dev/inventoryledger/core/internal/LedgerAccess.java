package dev.inventoryledger.core.internal;

import dev.inventoryledger.core.InventoryLedger;

import java.util.Objects;
import java.util.function.Function;

/**
 * How the library's own adapters (the Kafka module's per-partition snapshots) reach a ledger's
 * {@link CheckpointImage} without a public method on {@link InventoryLedger}: the ledger registers the way in
 * once, when its class is initialised, as the JDK's own shared-secrets do. Not for applications.
 */
public final class LedgerAccess {
    private static volatile Function<InventoryLedger, CheckpointImage> images;
    private static volatile Function<InventoryLedger, IdentityRegister> identities;
    private static volatile Function<InventoryLedger, DecisionGuard> guards;

    private LedgerAccess() {
    }

    /** Called once, by {@link InventoryLedger}'s static initialiser. */
    public static void register(Function<InventoryLedger, CheckpointImage> images,
                                Function<InventoryLedger, IdentityRegister> identities,
                                Function<InventoryLedger, DecisionGuard> guards) {
        if (LedgerAccess.images != null) {
            throw new IllegalStateException("already registered");
        }
        LedgerAccess.identities = Objects.requireNonNull(identities, "identities");
        LedgerAccess.guards = Objects.requireNonNull(guards, "guards");
        LedgerAccess.images = Objects.requireNonNull(images, "images");
    }

    /** Who may call the ledger's decisions: what a cluster takes them over with. */
    public static DecisionGuard guard(InventoryLedger ledger) {
        Objects.requireNonNull(ledger, "ledger");
        return guards.apply(ledger);
    }

    /** The ledger's identity register: what a feed holds forgetting back with. */
    public static IdentityRegister identities(InventoryLedger ledger) {
        Objects.requireNonNull(ledger, "ledger");
        return identities.apply(ledger);
    }

    /** The ledger's checkpoint image: part captures and part installs of its state. */
    public static CheckpointImage images(InventoryLedger ledger) {
        Objects.requireNonNull(ledger, "ledger"); // an instance exists: its class, and so the registration, ran
        return images.apply(ledger);
    }
}
