package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.HoldOutcome;
import dev.inventoryledger.core.InvalidEventException;
import dev.inventoryledger.core.ReservationResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an owner decided, as a requester receives it: a {@link ReservationResult} for a hold, a
 * {@link HoldOutcome} for the rest, or a {@link Refused refusal} of the arguments. Travels in a header of the
 * decision's records, in a small binary form.
 */
public final class ClusterAnswer {
    private static final byte RESULT = 'R', OUTCOME = 'H', REFUSED = 'E';

    /** The owner's ledger refused the call's arguments (a part naming more units than held ...): nothing changed. */
    public record Refused(String field, String message) {
        /** The refusal as the ledger would have thrown it here. */
        public InvalidEventException exception() {
            return new InvalidEventException(field, null, message);
        }
    }

    private ClusterAnswer() {
    }

    public static byte[] encode(Object answer) {
        return Wire.write(out -> {
            if (answer instanceof Refused r) {
                out.writeByte(REFUSED);
                out.writeUTF(r.field());
                out.writeUTF(r.message());
            } else if (answer instanceof HoldOutcome o) {
                out.writeByte(OUTCOME);
                out.writeUTF(o.name());
            } else {
                ReservationResult r = (ReservationResult) answer;
                out.writeByte(RESULT);
                out.writeUTF(r.reservationId());
                out.writeUTF(r.status().name());
                out.writeLong(r.sellable());
                out.writeBoolean(r.expiresAt() != null);
                if (r.expiresAt() != null) {
                    out.writeLong(r.expiresAt().getEpochSecond());
                    out.writeInt(r.expiresAt().getNano());
                }
                out.writeInt(r.allocations().size());
                for (ReservationResult.Allocation a : r.allocations()) {
                    out.writeUTF(a.productId());
                    out.writeUTF(a.warehouseId());
                    out.writeLong(a.quantity());
                    out.writeLong(a.backordered());
                }
                out.writeInt(r.shortfalls().size());
                for (ReservationResult.Shortfall s : r.shortfalls()) {
                    out.writeUTF(s.productId());
                    Wire.writeNullable(out, s.warehouseId());
                    out.writeLong(s.requested());
                    out.writeLong(s.sellable());
                    out.writeLong(s.missing());
                }
            }
        });
    }

    /** A {@link ReservationResult}, a {@link HoldOutcome} or a {@link Refused}. */
    public static Object decode(byte[] value) {
        return Wire.read(value, "cluster answer", in -> {
            byte type = in.readByte();
            if (type == OUTCOME) {
                return HoldOutcome.valueOf(in.readUTF());
            }
            if (type == REFUSED) {
                return new Refused(in.readUTF(), in.readUTF());
            }
            String id = in.readUTF();
            ReservationResult.Status status = ReservationResult.Status.valueOf(in.readUTF());
            long sellable = in.readLong();
            Instant expires = in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
            List<ReservationResult.Allocation> allocations = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                allocations.add(new ReservationResult.Allocation(in.readUTF(), in.readUTF(), in.readLong(),
                        in.readLong()));
            }
            List<ReservationResult.Shortfall> shortfalls = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                shortfalls.add(new ReservationResult.Shortfall(in.readUTF(), Wire.readNullable(in),
                        in.readLong(), in.readLong(), in.readLong()));
            }
            return ReservationResult.of(id, status, sellable,
                    expires, allocations, shortfalls);
        });
    }
}
