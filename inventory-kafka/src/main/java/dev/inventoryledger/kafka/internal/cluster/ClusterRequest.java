package dev.inventoryledger.kafka.internal.cluster;

import dev.inventoryledger.core.ReservationLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One call a requester asks a product's owner to decide: what goes on the requests topic, and what an owner
 * decides on the requester's own thread when it owns the partition. Written in a small binary form (a version
 * byte, then the fields); the topic is the cluster's own, read by no one else.
 *
 * @param requestId     unique per call and kept by its resends; answers name it
 * @param op            what to decide
 * @param reservationId the hold's id in this partition (the basket's, or the basket's part)
 * @param orderId       for {@link Op#CONFIRM}; else null
 * @param ttlMillis     for {@link Op#HOLD} and {@link Op#EXTEND}; else 0
 * @param lines         for {@link Op#HOLD}, the lines; for confirm and release, the part, or null for all
 */
public record ClusterRequest(String requestId, Op op, String reservationId, String orderId, long ttlMillis,
                             List<ReservationLine> lines) {
    private static final byte VERSION = 1;

    /** What a request asks. */
    public enum Op { HOLD, CONFIRM, RELEASE, EXTEND }

    public ClusterRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(reservationId, "reservationId");
        lines = lines == null ? null : List.copyOf(lines);
    }

    /** The product the request is keyed by: its first line's, or the reservation's. */
    public String key() {
        return lines == null || lines.isEmpty() ? reservationId : lines.get(0).productId();
    }

    public byte[] encode() {
        return Wire.write(out -> {
            out.writeByte(VERSION);
            out.writeUTF(requestId);
            out.writeByte(op.ordinal());
            out.writeUTF(reservationId);
            Wire.writeNullable(out, orderId);
            out.writeLong(ttlMillis);
            out.writeInt(lines == null ? -1 : lines.size());
            if (lines != null) {
                for (ReservationLine l : lines) {
                    out.writeUTF(l.productId());
                    Wire.writeNullable(out, l.warehouseId());
                    out.writeLong(l.quantity());
                }
            }
        });
    }

    /** @throws IllegalArgumentException if the bytes are not a request of this version */
    public static ClusterRequest decode(byte[] value) {
        return Wire.read(value, "cluster request", in -> {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("a cluster request of version " + version + ", not " + VERSION);
            }
            String requestId = in.readUTF();
            Op op = Op.values()[in.readByte()];
            String reservationId = in.readUTF();
            String orderId = Wire.readNullable(in);
            long ttl = in.readLong();
            int n = in.readInt();
            List<ReservationLine> lines = null;
            if (n >= 0) {
                lines = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    lines.add(new ReservationLine(in.readUTF(), Wire.readNullable(in), in.readLong()));
                }
            }
            return new ClusterRequest(requestId, op, reservationId, orderId, ttl, lines);
        });
    }
}
