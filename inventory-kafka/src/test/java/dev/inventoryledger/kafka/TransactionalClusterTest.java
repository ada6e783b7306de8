package dev.inventoryledger.kafka;

/**
 * Every test of {@link InventoryClusterTest} again, the instances fencing with Kafka's transactions
 * ({@link Fencing#TRANSACTIONS}): the same answers, and the same counts in every replica.
 */
class TransactionalClusterTest extends InventoryClusterTest {
    @Override
    Fencing fencing() {
        return Fencing.TRANSACTIONS;
    }
}
