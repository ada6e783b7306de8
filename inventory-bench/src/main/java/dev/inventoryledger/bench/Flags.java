package dev.inventoryledger.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code --name=value} (or {@code --name value}) options of a harness's command line, each checked
 * against the names the harness knows and parsed with the option named in the error message.
 */
public final class Flags {
    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException on an unknown name, a missing value or a bare word
     */
    public static Flags parse(String[] args, Set<String> known) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected an option --name=value but was '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: --"
                        + String.join(", --", known.stream().sorted().toList()) + ")");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            values.put(name, value);
        }
        return new Flags(values);
    }

    /**
     * A harness's settings from its command line: {@code parse} applied to the arguments. On a usage error
     * (an {@link IllegalArgumentException} from {@code parse}) prints it and {@code usage} to stderr and exits
     * the JVM with status 64.
     */
    static <S> S settingsOrExit(String[] args, Function<String[], S> parse, String usage) {
        try {
            return parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println("usage error: " + e.getMessage());
            System.err.println(usage);
            System.exit(64);
            throw e; // not reached
        }
    }

    public int integer(String name, int fallback) {
        return parsed(name, fallback, v -> Integer.parseInt(v.replace("_", "")), "an integer");
    }

    public long longValue(String name, long fallback) {
        return parsed(name, fallback, v -> Long.parseLong(v.replace("_", "")), "an integer");
    }

    /** The option's value as given, or {@code fallback}. */
    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    double decimal(String name, double fallback) {
        return parsed(name, fallback, Double::parseDouble, "a number");
    }

    /** The option's value read by {@code parse}, or {@code fallback} when it was not given. */
    private <T> T parsed(String name, T fallback, Function<String, T> parse, String what) {
        String v = values.get(name);
        try {
            return v == null ? fallback : parse.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be " + what + " but was '" + v + "'");
        }
    }

    List<Integer> integers(String name, List<Integer> fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            try {
                out.add(Integer.parseInt(part.trim().replace("_", "")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a comma-separated list of integers but was '"
                        + v + "'");
            }
        }
        return List.copyOf(out);
    }

    boolean bool(String name, boolean fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException("--" + name + " must be true or false but was '" + v + "'");
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + " must be one of " + List.of(type.getEnumConstants())
                    .toString().toLowerCase(Locale.ROOT) + " but was '" + v + "'");
        }
    }
}
