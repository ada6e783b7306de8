package dev.inventoryledger.examples;

import dev.inventoryledger.core.InventoryLedger;
import dev.inventoryledger.kafka.KafkaInventoryFeed;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The jars a storefront gets: each library module's jar names its module (Automatic-Module-Name, so that a
 * modular application can {@code requires dev.inventoryledger.core}) and has its -sources and -javadoc jars beside
 * it, the javadoc without the internal packages.
 *
 * <p>Under {@code mvn verify} (CI's command) this module is built after inventory-core and inventory-kafka have
 * been packaged, so their classes are loaded from their jars and every check runs on the jars of this build. Under
 * {@code mvn test} (or an IDE) they come from {@code target/classes}: the checks then run on the jar packaged beside
 * that directory by an earlier build, if there is one not older than its module's pom; otherwise the test is
 * skipped (aborted, reported as skipped), saying so — there is no jar to check.
 */
class PublishedJarsTest {

    @Test
    void theCoreJarNamesItsModule() throws IOException {
        assertNamesItsModule(libraryJar(InventoryLedger.class), "dev.inventoryledger.core", InventoryLedger.class);
    }

    @Test
    void theKafkaJarNamesItsModule() throws IOException {
        assertNamesItsModule(libraryJar(KafkaInventoryFeed.class), "dev.inventoryledger.kafka", KafkaInventoryFeed.class);
    }

    @Test
    void theLibraryJarsHaveSourcesAndJavadocBesideThemWithoutTheInternalPackages() throws IOException {
        for (Class<?> type : List.of(InventoryLedger.class, KafkaInventoryFeed.class)) {
            Path jar = libraryJar(type);
            String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            String packagePath = type.getPackageName().replace('.', '/');

            Path sources = jar.resolveSibling(base + "-sources.jar");
            assertThat(sources).as("the sources jar beside %s", jar).isRegularFile();
            assertThat(entries(sources)).as(sources.toString())
                    .contains(packagePath + "/" + type.getSimpleName() + ".java")
                    .anyMatch(e -> e.startsWith(packagePath + "/internal/"));

            Path javadoc = jar.resolveSibling(base + "-javadoc.jar");
            assertThat(javadoc).as("the javadoc jar beside %s", jar).isRegularFile();
            assertThat(entries(javadoc)).as(javadoc.toString())
                    .contains("index.html", packagePath + "/" + type.getSimpleName() + ".html")
                    .noneMatch(e -> e.startsWith(packagePath + "/internal/"));
        }
    }

    private static void assertNamesItsModule(Path jar, String moduleName, Class<?> type) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                    .as("Automatic-Module-Name in %s", jar).isEqualTo(moduleName);
        }
        // what the JDK makes of the jar on a module path: without the manifest entry the name would be derived
        // from the file name ("inventory.core"); a name that is not a legal module name would throw here
        Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
        assertThat(found).as("modules in %s", jar).hasSize(1);
        ModuleDescriptor module = found.iterator().next().descriptor();
        assertThat(module.name()).as("module name of %s", jar).isEqualTo(moduleName);
        assertThat(module.isAutomatic()).as("%s is an automatic module (no module-info)", jar).isTrue();
        assertThat(module.packages()).as("packages of %s", jar).contains(type.getPackageName());
    }

    /**
     * The jar {@code type} was loaded from; or, when it was loaded from a directory ({@code target/classes}), the
     * one main jar packaged beside that directory, if it is not older than its module's pom (the manifest entry
     * comes from the pom). Aborts the test, reported as skipped, when there is none.
     */
    private static Path libraryJar(Class<?> type) throws IOException {
        Path location;
        try {
            location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isRegularFile(location)) {
            return location; // mvn verify: the reactor hands this module the jar just packaged
        }
        Path target = location.getParent();
        Path pom = target.getParent().resolve("pom.xml");
        List<Path> jars;
        try (Stream<Path> files = Files.list(target)) {
            jars = files.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".jar") && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                        && !name.endsWith("-tests.jar");
            }).collect(Collectors.toList());
        }
        if (jars.size() != 1) {
            abort(type.getName() + " was loaded from the directory " + location + ", and " + target + " holds "
                    + (jars.isEmpty() ? "no packaged jar" : "several jars " + jars)
                    + ": nothing to check. Run `mvn verify`, which packages the library jars before this test.");
        }
        Path jar = jars.get(0);
        if (Files.isRegularFile(pom)
                && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(pom)) < 0) {
            abort(jar + " is older than " + pom + ", so its manifest may be stale: run `mvn verify`.");
        }
        return jar;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(e -> e.getName()).collect(Collectors.toList());
        }
    }
}
