package dev.inventoryledger.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One run of {@link Replay}, in process: its exit status, stdout, and stderr line by line. */
record ReplayRun(int status, String out, List<String> err) {
    private static final Pattern REPORT = Pattern.compile("line (\\d+): (.*)");

    static ReplayRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Replay.run(args, o, e);
        }
        String errText = err.toString(StandardCharsets.UTF_8);
        return new ReplayRun(status, out.toString(StandardCharsets.UTF_8),
                errText.isEmpty() ? List.of() : List.of(errText.split("\\R")));
    }

    /**
     * Numbers of the lines stderr reports with a reason starting with {@code prefix}; with {@code ""}, the
     * lines reported skipped (every report but conflicts).
     */
    List<Integer> reportedLines(String prefix) {
        List<Integer> out = new ArrayList<>();
        for (String l : err) {
            Matcher m = REPORT.matcher(l);
            if (m.matches() && (prefix.isEmpty() ? !m.group(2).startsWith("conflict: ")
                    : m.group(2).startsWith(prefix))) {
                out.add(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    /** The last line of stderr: the summary. */
    String summary() {
        return err.isEmpty() ? null : err.get(err.size() - 1);
    }
}
