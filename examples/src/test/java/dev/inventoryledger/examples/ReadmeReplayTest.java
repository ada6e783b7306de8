package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Replay and audit" section says what the tool prints for the sample file: its code blocks are
 * a command, what it prints (stderr reports, the CSV, the summary, as a terminal shows them), a command with
 * {@code --as-of}, and its CSV. This test runs the replays those commands name and compares.
 */
class ReadmeReplayTest {
    private static final String MAIN = ReadmeSections.javaCommand(Replay.class) + " ";

    @Test
    void theReadmeShowsWhatReplayPrintsForTheSampleFile() throws IOException {
        List<String> blocks = ReadmeSections.codeBlocksUnder("## Replay and audit");
        assertThat(blocks).hasSize(4);

        String command = blocks.get(0).strip();
        assertThat(command).as("the one command on a fresh clone").startsWith(ReadmeSections.BUILD + MAIN);
        ReplayRun run = ReplayRun.of(arguments(command.substring(ReadmeSections.BUILD.length())));
        List<String> reports = run.err().subList(0, run.err().size() - 1);
        assertThat(String.join("\n", reports) + "\n" + run.out() + run.summary() + "\n").isEqualTo(blocks.get(1));
        assertThat(run.status()).isEqualTo(Replay.EXIT_SKIPPED);

        String quiet = " 2>/dev/null";
        String asOfCommand = blocks.get(2).strip();
        assertThat(asOfCommand).endsWith(quiet);
        ReplayRun asOf = ReplayRun.of(arguments(asOfCommand.substring(0, asOfCommand.length() - quiet.length())));
        assertThat(asOf.out()).isEqualTo(blocks.get(3));
    }

    /** The arguments after the class name, the file resolved from the repository's root. */
    private static String[] arguments(String command) {
        assertThat(command).startsWith(MAIN);
        String[] args = command.substring(MAIN.length()).split(" ");
        args[args.length - 1] = ReadmeSections.ROOT.resolve(args[args.length - 1]).toString();
        return args;
    }
}
