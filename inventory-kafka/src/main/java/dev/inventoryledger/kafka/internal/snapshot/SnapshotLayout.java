package dev.inventoryledger.kafka.internal.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The records of the snapshot topic, a compacted topic holding, for each partition p of the event topics, the
 * newest whole snapshot of p's state:
 *
 * <pre>
 * key "c/&lt;p&gt;/&lt;writer&gt;/&lt;slot&gt;/&lt;n&gt;"   chunk n of a snapshot of p by this writer, in slot 0, 1 or 2:
 *                                  int magic "ILSC", utf snapshot id, int n, int length, the bytes
 * key "m/&lt;p&gt;"                        the manifest, written after every chunk is acknowledged:
 *                                  int magic "ILSM", int version, utf snapshot id, utf writer, int slot,
 *                                  long epoch, int chunks, long bytes, int CRC32C of the bytes,
 *                                  long written-at millis, int n, n × (utf source, long offset)
 * </pre>
 *
 * The bytes are a checkpoint of p's products (core's checkpoint format: versioned, checksummed, with the source
 * offsets and the fencing claims). A writer goes round its three slots, never writing into the one its newest
 * manifest names (nor the one before, in case that manifest landed unconfirmed), so a writer killed mid-write
 * leaves that snapshot whole; chunks carry their snapshot's
 * id, so a manifest is used only with chunks of its own snapshot (two writers, or a torn write, never mix);
 * compaction keeps one manifest per partition and three slots per writer: the topic is bounded by the catalog
 * times the writers (the instance ids: keep them stable and unique per running instance).
 * Epoch −1: a plain replica wrote it; else the owner's epoch (group generation) when it wrote it.
 */
public final class SnapshotLayout {
    static final int CHUNK_MAGIC = 0x494C5343; // "ILSC"
    static final int MANIFEST_MAGIC = 0x494C534D; // "ILSM"
    static final int VERSION = 1;
    /**
     * Slots per writer and partition: a writer goes round them, so that even a write whose manifest it could not
     * confirm (it may have landed) is never overwritten by the next one, and the newest whole snapshot survives.
     */
    static final int SLOTS = 3;

    private SnapshotLayout() {
    }

    /** A snapshot's manifest: which chunks make it, how to check them, and what it reflects. */
    public record Manifest(int partition, String snapshotId, String writer, int slot, long epoch, int chunks,
                           long bytes, int crc, long writtenAtMillis, Map<String, Long> offsets) {
        public Manifest {
            offsets = Map.copyOf(offsets);
        }

        /** The key of chunk n. */
        public String chunkKey(int n) {
            return SnapshotLayout.chunkKey(partition, writer, slot, n);
        }

        byte[] encode() {
            return write(out -> {
                out.writeInt(MANIFEST_MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(snapshotId);
                out.writeUTF(writer);
                out.writeInt(slot);
                out.writeLong(epoch);
                out.writeInt(chunks);
                out.writeLong(bytes);
                out.writeInt(crc);
                out.writeLong(writtenAtMillis);
                out.writeInt(offsets.size());
                for (Map.Entry<String, Long> o : new java.util.TreeMap<>(offsets).entrySet()) {
                    out.writeUTF(o.getKey());
                    out.writeLong(o.getValue());
                }
            });
        }

        /** The manifest of partition p, or null if the value is not one this library wrote. */
        static Manifest decode(int partition, byte[] value) {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
                if (in.readInt() != MANIFEST_MAGIC || in.readInt() != VERSION) {
                    return null;
                }
                String id = in.readUTF(), writer = in.readUTF();
                int slot = in.readInt();
                long epoch = in.readLong();
                int chunks = in.readInt();
                long bytes = in.readLong();
                int crc = in.readInt();
                long at = in.readLong();
                int n = in.readInt();
                Map<String, Long> offsets = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    offsets.put(in.readUTF(), in.readLong());
                }
                return chunks < 1 || bytes < 0 || slot < 0 || slot >= SLOTS ? null
                        : new Manifest(partition, id, writer, slot, epoch, chunks, bytes, crc, at, offsets);
            } catch (IOException | RuntimeException notOurs) {
                return null;
            }
        }
    }

    /** One chunk as read: whose snapshot it is, which chunk, its bytes. */
    record Chunk(String snapshotId, int n, byte[] bytes) {
        byte[] encode() {
            return write(out -> {
                out.writeInt(CHUNK_MAGIC);
                out.writeUTF(snapshotId);
                out.writeInt(n);
                out.writeInt(bytes.length);
                out.write(bytes);
            });
        }

        /** The chunk, or null if the value is not one this library wrote. */
        static Chunk decode(byte[] value) {
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
                if (in.readInt() != CHUNK_MAGIC) {
                    return null;
                }
                String id = in.readUTF();
                int n = in.readInt();
                int length = in.readInt();
                byte[] bytes = in.readNBytes(length);
                return bytes.length == length && in.read() == -1 ? new Chunk(id, n, bytes) : null;
            } catch (IOException | RuntimeException notOurs) {
                return null;
            }
        }
    }

    static String manifestKey(int partition) {
        return "m/" + partition;
    }

    static String chunkKey(int partition, String writer, int slot, int n) {
        return "c/" + partition + "/" + writer + "/" + slot + "/" + n;
    }

    /** The partition a manifest key names, or −1 if the key is not a manifest's. */
    static int manifestPartition(String key) {
        if (!key.startsWith("m/")) {
            return -1;
        }
        try {
            return Integer.parseInt(key.substring(2));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    /** The bytes cut into chunks of at most {@code size}. */
    static byte[][] cut(byte[] bytes, int size) {
        int n = Math.max(1, (bytes.length + size - 1) / size);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size));
        }
        return out;
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
    }
}
