package dev.inventoryledger.kafka.internal.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The small binary form of the cluster's own records ({@link ClusterRequest}, {@link ClusterAnswer}). */
final class Wire {
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private Wire() {
    }

    static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException cannot) { // a stream in memory
            throw new UncheckedIOException(cannot);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a {@code what} */
    static <T> T read(byte[] value, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            return reader.read(in);
        } catch (IOException | RuntimeException bad) {
            throw new IllegalArgumentException("not a " + what + ": " + bad, bad);
        }
    }

    static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
