package dev.inventoryledger.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads the README's sections and code blocks, for the tests that hold the README to what the code does. */
final class ReadmeSections {
    /** Surefire runs in the module's directory. */
    static final Path ROOT = Path.of("..");

    private ReadmeSections() {
    }

    /** What the README's commands put before running an example: a build of the jars without tests. */
    static final String BUILD = "mvn -B -q -DskipTests package && ";

    /** The README's command that runs {@code example} from the examples jar, without its arguments. */
    static String javaCommand(Class<?> example) {
        return "java -cp examples/target/inventory-examples.jar " + example.getName();
    }

    static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    }

    static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading + "\n");
        assertThat(start).as("README has a section %s", heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + heading.length());
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** The fenced code blocks of the README's section under {@code heading}, each with a final newline. */
    static List<String> codeBlocksUnder(String heading) throws IOException {
        return codeBlocks(section(readme(), heading));
    }

    /** The fenced code blocks, each with a final newline. */
    static List<String> codeBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                if (block == null) {
                    block = new StringBuilder();
                } else {
                    blocks.add(block.toString());
                    block = null;
                }
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** A line up to its figures: every number (with its sign and thousands' commas) becomes {@code #}. */
    static String shape(String line) {
        return java.util.Arrays.stream(line.strip().split(" +"))
                .map(word -> word.replaceAll("-?[\\d,]*\\d", "#"))
                .reduce((a, b) -> a + " " + b).orElse("");
    }
}
