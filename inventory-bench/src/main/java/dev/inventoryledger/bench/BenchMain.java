package dev.inventoryledger.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of {@code benchmarks.jar}: JMH's own command line ({@code java -jar benchmarks.jar -h}),
 * which decides first whether the PostgreSQL peer can run.
 *
 * <p>Unless the command line names the peers itself ({@code -p impl=…}), every benchmark runs the ledger,
 * {@code chm} and {@code h2}, and {@code postgres} too when {@code -Dbench.postgres=<JDBC URL>} is given and
 * a connection to it opens. Otherwise it prints why the PostgreSQL peer is left out and runs the others.
 * The URL reaches the forked benchmark JVMs as the same system property (inherited, or passed on when
 * {@code -jvmArgs} replaces what they inherit).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        String url = PostgresUrl.configured();
        String why = url == null ? "-D" + PostgresUrl.PROPERTY + " is not set; " + PostgresUrl.HOW
                : PostgresUrl.unreachable(url);
        if (!cmd.getParameter("impl").hasValue()) {
            List<String> impls = new ArrayList<>(List.of(Peer.LEDGER, Peer.CHM, Peer.H2));
            if (why == null) {
                impls.add(Peer.POSTGRES);
            } else {
                System.out.println("# PostgreSQL peer skipped: " + (url == null ? "" : "cannot connect to " + url
                        + ": ") + why);
            }
            options.param("impl", impls.toArray(new String[0]));
        }
        if (url != null && cmd.getJvmArgs().hasValue()) {
            // The forks inherit this JVM's -D unless -jvmArgs replaces its arguments. Prepended: appending
            // would replace the benchmarks' own @Fork(jvmArgsAppend) heap settings.
            List<String> prepend = new ArrayList<>(cmd.getJvmArgsPrepend().orElse(List.of()));
            prepend.add("-D" + PostgresUrl.PROPERTY + "=" + url);
            options.jvmArgsPrepend(prepend.toArray(new String[0]));
        }
        new Runner(options.build()).run();
    }
}
