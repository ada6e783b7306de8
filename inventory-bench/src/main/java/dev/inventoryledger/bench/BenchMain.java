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
 * {@code chm} and {@code h2}; {@code postgres} too when {@code -Dbench.postgres=<JDBC URL>} is given and a
 * connection to it opens, and {@code redis} when {@code -Dbench.redis=redis://host:port} is given and the
 * server answers. For each server peer left out it prints why, and runs the others. The addresses reach the
 * forked benchmark JVMs as the same system properties (inherited, or passed on when {@code -jvmArgs}
 * replaces what they inherit).
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
        if (!cmd.getParameter("impl").hasValue()) {
            List<String> impls = new ArrayList<>(Peer.IN_PROCESS);
            for (ServerPeer server : ServerPeer.values()) {
                String why = server.whyNot();
                if (why == null) {
                    impls.add(server.impl);
                } else {
                    System.out.println("# " + server.impl + " peer skipped: " + why);
                }
            }
            options.param("impl", impls.toArray(new String[0]));
        }
        if (cmd.getJvmArgs().hasValue()) {
            // The forks inherit this JVM's -D unless -jvmArgs replaces its arguments. Prepended: appending
            // would replace the benchmarks' own @Fork(jvmArgsAppend) heap settings.
            List<String> prepend = new ArrayList<>(cmd.getJvmArgsPrepend().orElse(List.of()));
            for (ServerPeer server : ServerPeer.values()) {
                String address = server.configured();
                if (address != null) {
                    prepend.add("-D" + server.property + "=" + address);
                }
            }
            options.jvmArgsPrepend(prepend.toArray(new String[0]));
        }
        new Runner(options.build()).run();
    }
}
