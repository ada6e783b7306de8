package dev.inventoryledger.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Add it to your build": the coordinates, version and Java release it names are the build's. */
class ReadmeBuildSectionTest {
    private static final String HEADING = "## Add it to your build";

    @Test
    void theDependenciesShownAreTheLibraryModulesAtTheBuildsVersion() throws IOException {
        String pom = Files.readString(ReadmeSections.ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        String version = first(pom, "<artifactId>inventory-ledger-parent</artifactId>\\s*<version>([^<]+)</version>");
        String release = first(pom, "<maven.compiler.release>(\\d+)</maven.compiler.release>");

        List<String> blocks = ReadmeSections.codeBlocksUnder(HEADING);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
        String library = blocks.get(0);
        for (String module : List.of("inventory-core", "inventory-kafka")) {
            assertThat(library).containsPattern("<groupId>dev.inventoryledger</groupId>\\s*<artifactId>" + module
                    + "</artifactId>[^\\n]*\\n\\s*<version>" + Pattern.quote(version) + "</version>");
        }
        // the binding is the application's: logback-classic 1.5, which is an SLF4J 2 binding
        assertThat(blocks.get(1)).contains("<artifactId>logback-classic</artifactId>").containsPattern("<version>1\\.5\\.");

        String section = ReadmeSections.section(ReadmeSections.readme(), HEADING);
        assertThat(section).contains("Java " + release + " or later", "`" + version + "`");
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("pom.xml matches %s", regex).isTrue();
        return m.group(1);
    }
}
