package dev.inventoryledger.core.internal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The checkpoint file: the ledger's whole state in one versioned, checksummed binary file, written
 * atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * <pre>
 * int magic "ILCP", int version
 * long written-at (epoch micros)
 * int n; n × (utf source, long offset)                     source offsets, e.g. a Kafka feed's
 * int n; n × product:
 *     utf id, long backorder limit
 *     int n; n × (utf warehouse, long available, held, last-updated micros, safety stock; int threshold or -1)
 *     int n; n × (long identity, long fingerprint << 32 | event seconds)   remembered identities, oldest first
 *     long seconds                                         the newest event time it forgot an identity of, or -1
 * int n; n × reservation:                                  open ones first, then ended ones oldest first
 *     utf id; int n; n × (utf product, utf warehouse, byte state, long quantity, long released,
 *                         long expires-at nanos; boolean has-order [utf order])
 * int end marker "END!"
 * int CRC32C of every byte above
 * </pre>
 *
 * Version 3 keeps identities as the dedup horizon does (64-bit identity, 32-bit fingerprint, event time) with
 * the time each product has forgotten up to; an identity of a version 1 or 2 file is read with its product's
 * latest event time (it is remembered for a horizon from there), and a product whose table held a power of two
 * (full at its bound, most likely) counts as having forgotten up to then. Version 2 added {@code released} to each
 * reservation line (units given back by releases of part of a hold). Version 1 files are still read: a line there had no partial release, so a released line counts as released
 * in whole and a line released before its hold carries the released units as its quantity.
 *
 * A file that is not a checkpoint, of another version, truncated, or whose checksum or structure does not
 * hold is refused with a {@link Corrupt} that says which; nothing of it is used.
 */
public final class CheckpointFile {
    static final int MAGIC = 0x494C4350; // "ILCP"
    static final int VERSION = 3;
    /** The oldest version this library reads. */
    static final int OLDEST_VERSION = 1;
    private static final int END = 0x454E4421; // "END!"
    /** When this class was loaded: every temporary file this JVM writes is younger. */
    private static final long LOADED_MILLIS = System.currentTimeMillis();

    private CheckpointFile() {
    }

    /** A checkpoint that cannot be used, and why. */
    public static final class Corrupt extends IOException {
        private static final long serialVersionUID = 1L;

        public Corrupt(Path file, String why) {
            super("checkpoint " + file + " is unusable: " + why + "; nothing was restored");
        }
    }

    /** One position as stored. */
    public record SlotData(String warehouseId, long available, long held, long lastUpdatedMicros, long safetyStock,
                           int threshold) {
    }

    /**
     * One product as stored; {@code identities} holds (identity, fingerprint &lt;&lt; 32 | seconds) pairs, oldest
     * first, and {@code forgottenSeconds} the newest event time of an identity it forgot (−1: none).
     */
    public record ProductData(String productId, long backorderLimit, List<SlotData> slots, long[] identities,
                              long forgottenSeconds) {
    }

    /** One reservation line as stored. */
    public record LineData(String productId, String warehouseId, byte state, long quantity, long released,
                           long expiresAtNanos, String orderId) {
    }

    /** One reservation as stored. */
    public record ReservationData(String id, List<LineData> lines) {
    }

    /** A whole checkpoint, read and verified. */
    public record Contents(long writtenAtMicros, Map<String, Long> offsets, List<ProductData> products,
                           List<ReservationData> reservations) {
    }

    /**
     * One state made of several parts' products (each product in one part only): offsets of all parts, every
     * product, and each reservation once with its lines from every part, in the parts' order.
     *
     * @throws IllegalStateException if a product is in two parts
     */
    public static Contents merge(List<Contents> parts) {
        Map<String, Long> offsets = new LinkedHashMap<>();
        List<ProductData> products = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        Map<String, List<LineData>> lines = new LinkedHashMap<>();
        long writtenAt = 0;
        for (Contents c : parts) {
            writtenAt = Math.max(writtenAt, c.writtenAtMicros());
            offsets.putAll(c.offsets());
            for (ProductData p : c.products()) {
                if (seen.put(p.productId(), Boolean.TRUE) != null) {
                    throw new IllegalStateException("product " + p.productId() + " is in two parts of one state");
                }
                products.add(p);
            }
            for (ReservationData r : c.reservations()) {
                lines.computeIfAbsent(r.id(), id -> new ArrayList<>()).addAll(r.lines());
            }
        }
        List<ReservationData> reservations = new ArrayList<>(lines.size());
        lines.forEach((id, l) -> reservations.add(new ReservationData(id, l)));
        return new Contents(writtenAt, offsets, products, reservations);
    }

    /** The part of a state whose products {@code include} accepts, with these offsets instead of its own. */
    public static Contents only(Contents c, java.util.function.Predicate<String> include, Map<String, Long> offsets) {
        List<ProductData> products = c.products().stream().filter(p -> include.test(p.productId())).toList();
        List<ReservationData> reservations = new ArrayList<>();
        for (ReservationData r : c.reservations()) {
            List<LineData> kept = r.lines().stream().filter(l -> include.test(l.productId())).toList();
            if (!kept.isEmpty()) {
                reservations.add(new ReservationData(r.id(), kept));
            }
        }
        return new Contents(c.writtenAtMicros(), offsets, products, reservations);
    }

    /** Encodes a captured state, with its checksum, into memory (no lock needed). */
    public static Chunks serialize(Contents c) throws IOException {
        Chunks chunks = new Chunks();
        CRC32C crc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(chunks, crc));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(c.writtenAtMicros());
        out.writeInt(c.offsets().size());
        for (Map.Entry<String, Long> o : c.offsets().entrySet()) {
            out.writeUTF(o.getKey());
            out.writeLong(o.getValue());
        }
        out.writeInt(c.products().size());
        for (ProductData p : c.products()) {
            writeProduct(out, p);
        }
        out.writeInt(c.reservations().size());
        for (ReservationData r : c.reservations()) {
            writeReservation(out, r);
        }
        out.writeInt(END);
        out.flush();
        int sum = (int) crc.getValue();
        chunks.write(new byte[]{(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
        return chunks;
    }

    private static void writeProduct(DataOutputStream out, ProductData p) throws IOException {
        out.writeUTF(p.productId());
        out.writeLong(p.backorderLimit());
        out.writeInt(p.slots().size());
        for (SlotData s : p.slots()) {
            out.writeUTF(s.warehouseId());
            out.writeLong(s.available());
            out.writeLong(s.held());
            out.writeLong(s.lastUpdatedMicros());
            out.writeLong(s.safetyStock());
            out.writeInt(s.threshold());
        }
        long[] ids = p.identities();
        out.writeInt(ids.length / 2);
        for (long v : ids) {
            out.writeLong(v);
        }
        out.writeLong(p.forgottenSeconds());
    }

    private static void writeReservation(DataOutputStream out, ReservationData r) throws IOException {
        out.writeUTF(r.id());
        out.writeInt(r.lines().size());
        for (LineData l : r.lines()) {
            out.writeUTF(l.productId());
            out.writeUTF(l.warehouseId());
            out.writeByte(l.state());
            out.writeLong(l.quantity());
            out.writeLong(l.released());
            out.writeLong(l.expiresAtNanos());
            out.writeBoolean(l.orderId() != null);
            if (l.orderId() != null) {
                out.writeUTF(l.orderId());
            }
        }
    }

    /**
     * Writes atomically: a crash at any instant leaves either the previous file or this one, whole. First
     * removes the temporary files an earlier process left beside it when it died mid-write.
     */
    public static void write(Path file, Chunks bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeLeftovers(dir, file.getFileName().toString());
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (ByteBuffer b : bytes.buffers()) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself survives a power cut
        } catch (IOException notSupported) {
            // some platforms cannot open a directory; the rename is still atomic there
        }
    }

    /**
     * Deletes the temporary files of this checkpoint that an earlier process left when it died mid-write (a
     * SIGKILL or a power cut between creating one and renaming it): each is as large as a checkpoint, and
     * nothing else ever removes them, so a process that keeps crashing would fill the disk. Only files named
     * as {@link #write} names them ({@code <name><digits>.tmp}) and last written before this JVM loaded this
     * class (less a second for coarse file times), so never a write in progress in this JVM. Best effort: one
     * that cannot be deleted now is tried again at the next checkpoint; it costs disk, never correctness.
     */
    private static void removeLeftovers(Path dir, String name) {
        long before = LOADED_MILLIS - 1_000;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, p -> isTemporaryOf(p, name))) {
            for (Path t : temps) {
                try {
                    if (Files.getLastModifiedTime(t).toMillis() < before) {
                        Files.deleteIfExists(t);
                    }
                } catch (IOException nextTime) {
                    // gone meanwhile, or not ours to delete: see the method comment
                }
            }
        } catch (IOException nextTime) {
            // the directory cannot be listed now: see the method comment
        }
    }

    /** Whether the file is named as {@link Files#createTempFile} names this checkpoint's temporary files. */
    private static boolean isTemporaryOf(Path candidate, String name) {
        String n = candidate.getFileName().toString();
        int end = n.length() - ".tmp".length();
        if (!n.startsWith(name) || !n.endsWith(".tmp") || end <= name.length()) {
            return false;
        }
        for (int i = name.length(); i < end; i++) {
            if (n.charAt(i) < '0' || n.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Reads and verifies a whole checkpoint. */
    public static Contents read(Path file) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file);
             InputStream raw = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16)) {
            // the size of the file opened: a checkpoint renamed over it meanwhile is not this one
            return read(raw, channel.size(), file);
        }
    }

    /**
     * Reads and verifies a whole checkpoint held in memory (a snapshot's bytes); {@code name} says in messages
     * what it is.
     */
    public static Contents read(byte[] bytes, String name) throws IOException {
        return read(new java.io.ByteArrayInputStream(bytes), bytes.length, Path.of(name));
    }

    private static Contents read(InputStream raw, long size, Path file) throws IOException {
        CRC32C crc = new CRC32C();
        Reader in = new Reader(new DataInputStream(new CheckedInputStream(raw, crc)), file, size);
        try {
            Contents c = in.contents();
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(raw).readInt(); // not part of the checksum
            if (stored != expected) {
                throw new Corrupt(file, "checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                        + Integer.toHexString(expected) + ")");
            }
            if (raw.read() != -1) {
                throw new Corrupt(file, "there are bytes after the checksum");
            }
            return c;
        } catch (EOFException e) {
            throw new Corrupt(file, "it is truncated");
        } catch (UTFDataFormatException e) {
            throw new Corrupt(file, "a text field is malformed");
        } catch (ArithmeticException | OutOfMemoryError e) {
            throw new Corrupt(file, "a count is out of range");
        }
    }

    /** Reads the checksummed part of one file, checking its structure as it goes. */
    private static final class Reader {
        private final DataInputStream in;
        private final Path file;
        private final long size;
        private int version;
        /** The warehouses of each product read so far: a line must name a position in the file. */
        private final Map<String, Map<String, Boolean>> known = new HashMap<>();

        Reader(DataInputStream in, Path file, long size) {
            this.in = in;
            this.file = file;
            this.size = size;
        }

        Contents contents() throws IOException {
            if (in.readInt() != MAGIC) {
                throw new Corrupt(file, "it is not an inventory ledger checkpoint (wrong magic number)");
            }
            version = in.readInt();
            if (version < OLDEST_VERSION || version > VERSION) {
                throw new Corrupt(file, "version " + version + " is not supported (this library reads "
                        + (OLDEST_VERSION == VERSION ? "" + VERSION : OLDEST_VERSION + " to " + VERSION) + ")");
            }
            long writtenAt = in.readLong();
            int n = count("offsets", 10);
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                offsets.put(in.readUTF(), in.readLong());
            }
            n = count("products", 18);
            List<ProductData> products = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                products.add(product());
            }
            n = count("reservations", 6);
            List<ReservationData> reservations = new ArrayList<>(Math.min(n, 1 << 16));
            Map<String, Boolean> reservationIds = new HashMap<>();
            for (int i = 0; i < n; i++) {
                ReservationData r = reservation();
                if (reservationIds.put(r.id(), Boolean.TRUE) != null) {
                    throw new Corrupt(file, "reservation " + r.id() + " appears twice");
                }
                reservations.add(r);
            }
            if (in.readInt() != END) {
                throw new Corrupt(file, "the end marker is missing");
            }
            return new Contents(writtenAt, offsets, products, reservations);
        }

        private ProductData product() throws IOException {
            String id = in.readUTF();
            long backorder = in.readLong();
            int m = count("positions", 38);
            List<SlotData> slots = new ArrayList<>(Math.min(m, 1 << 10));
            Map<String, Boolean> warehouses = new HashMap<>();
            for (int j = 0; j < m; j++) {
                SlotData s = new SlotData(in.readUTF(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                        in.readInt());
                slots.add(s);
                warehouses.put(s.warehouseId(), Boolean.TRUE);
            }
            long[] ids = version >= 3 ? identities() : identitiesBeforeVersion3(slots);
            long forgotten = version >= 3 ? in.readLong() : oldTableFull ? latestSeconds(slots) : -1;
            if (known.put(id, warehouses) != null) {
                throw new Corrupt(file, "product " + id + " appears twice");
            }
            return new ProductData(id, backorder, slots, ids, forgotten);
        }

        private boolean oldTableFull; // of the product just read, in a version 1 or 2 file

        private static long latestSeconds(List<SlotData> slots) {
            long latest = 0;
            for (SlotData s : slots) {
                latest = Math.max(latest, s.lastUpdatedMicros());
            }
            return IdentityRegister.seconds(latest);
        }

        private long[] identities() throws IOException {
            int k = count("identities", 16);
            long[] ids = new long[Math.multiplyExact(k, 2)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = in.readLong();
            }
            return ids;
        }

        /**
         * Versions 1 and 2 kept (hi, lo, 64-bit fingerprint) with no time: each is read as the horizon keeps it,
         * at its product's latest event time.
         */
        private long[] identitiesBeforeVersion3(List<SlotData> slots) throws IOException {
            long latest = 0;
            for (SlotData s : slots) {
                latest = Math.max(latest, s.lastUpdatedMicros());
            }
            long seconds = IdentityRegister.seconds(latest);
            int k = count("identities", 24);
            // a table at a power of two was most likely full at its bound: it had forgotten older ones
            oldTableFull = k > 1 && Integer.bitCount(k) == 1;
            long[] ids = new long[Math.multiplyExact(k, 2)];
            for (int j = 0; j < k; j++) {
                in.readLong(); // hi: the tables keep the low lane
                ids[2 * j] = in.readLong();
                ids[2 * j + 1] = ((long) IdentityRegister.fold(in.readLong()) << 32) | seconds;
            }
            return ids;
        }

        private ReservationData reservation() throws IOException {
            String id = in.readUTF();
            int m = count("lines", version == 1 ? 22 : 30);
            List<LineData> lines = new ArrayList<>(Math.min(m, 1 << 10));
            for (int j = 0; j < m; j++) {
                String product = in.readUTF(), warehouse = in.readUTF();
                byte state = in.readByte();
                long quantity = in.readLong();
                long released = version == 1 ? 0 : in.readLong();
                LineData l = new LineData(product, warehouse, state, quantity, released, in.readLong(),
                        in.readBoolean() ? in.readUTF() : null);
                Map<String, Boolean> w = known.get(l.productId());
                if (w == null || !w.containsKey(l.warehouseId())) {
                    throw new Corrupt(file, "reservation " + id + " names a position not in the file");
                }
                if (l.state() < HoldLine.ACTIVE || l.state() > HoldLine.PRE_CONSUMED) {
                    throw new Corrupt(file, "reservation " + id + " has a line in unknown state " + l.state());
                }
                lines.add(version == 1 ? fromVersion1(l) : l);
            }
            return new ReservationData(id, lines);
        }

        /** A version-1 line as version 2 counts it: its releases, if any, gave back the whole hold. */
        private static LineData fromVersion1(LineData l) {
            return switch (l.state()) {
                case HoldLine.RELEASED -> new LineData(l.productId(), l.warehouseId(), l.state(), l.quantity(),
                        l.quantity(), l.expiresAtNanos(), l.orderId());
                case HoldLine.PRE_RELEASED -> new LineData(l.productId(), l.warehouseId(), l.state(), 0, l.quantity(),
                        l.expiresAtNanos(), l.orderId());
                default -> l;
            };
        }

        /**
         * A count, refused if negative or if that many entries of at least {@code minBytes} each cannot fit in
         * the file: a corrupt count must not make the reader allocate for it before the checksum is reached.
         */
        private int count(String what, int minBytes) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                throw new Corrupt(file, "negative count of " + what + ": " + n);
            }
            if ((long) n * minBytes > size) {
                throw new Corrupt(file, "it is truncated or a count is corrupt (" + n + " " + what
                        + " cannot fit in " + size + " bytes)");
            }
            return n;
        }
    }

    /** An output stream into 1 MiB chunks: no 2 GiB ceiling and no copying as it grows. */
    public static final class Chunks extends OutputStream {
        private static final int CHUNK = 1 << 20;
        private final List<byte[]> full = new ArrayList<>();
        private byte[] current = new byte[CHUNK];
        private int used;
        private long size;

        @Override
        public void write(int b) {
            if (used == CHUNK) {
                full.add(current);
                current = new byte[CHUNK];
                used = 0;
            }
            current[used++] = (byte) b;
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (used == CHUNK) {
                    full.add(current);
                    current = new byte[CHUNK];
                    used = 0;
                }
                int n = Math.min(len, CHUNK - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                size += n;
            }
        }

        /** Bytes written. */
        public long size() {
            return size;
        }

        /** The bytes written, in one array (a snapshot's, well under 2 GiB). */
        public byte[] toByteArray() {
            byte[] out = new byte[Math.toIntExact(size)];
            int at = 0;
            for (byte[] b : full) {
                System.arraycopy(b, 0, out, at, b.length);
                at += b.length;
            }
            System.arraycopy(current, 0, out, at, used);
            return out;
        }

        List<ByteBuffer> buffers() {
            List<ByteBuffer> out = new ArrayList<>(full.size() + 1);
            for (byte[] b : full) {
                out.add(ByteBuffer.wrap(b));
            }
            out.add(ByteBuffer.wrap(current, 0, used));
            return out;
        }
    }
}
