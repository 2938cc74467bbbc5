package io.portcullis.deployment;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks, without Docker, that every file the Dockerfiles copy from the build context exists
 * after {@code package}: the fast-jar folders for the JVM image, the sources and the Maven
 * wrapper for the native build. A COPY of a missing path fails a docker build.
 */
class DockerfilesIT {

    private static final Path DOCKER = Path.of("src", "main", "docker");

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.native"})
    void copiedPathsExist(String dockerfile) throws IOException {
        List<String> sources = copySources(Files.readAllLines(DOCKER.resolve(dockerfile)));
        assertThat(sources).as("COPY sources of %s", dockerfile).isNotEmpty();
        for (String source : sources) {
            assertThat(matches(source)).as("files matching %s, copied by %s", source, dockerfile).isNotEmpty();
        }
    }

    /** Returns the source paths of the COPY instructions that read the build context, not another stage. */
    private static List<String> copySources(List<String> lines) {
        List<String> sources = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 3 || !words[0].equals("COPY")) {
                continue;
            }
            List<String> arguments = Arrays.stream(words).skip(1).filter(word -> !word.startsWith("--")).toList();
            boolean fromStage = Arrays.stream(words).anyMatch(word -> word.startsWith("--from="));
            if (!fromStage) {
                sources.addAll(arguments.subList(0, arguments.size() - 1));
            }
        }
        return sources;
    }

    /** Returns the files or folders that match a COPY source, which may end in a glob such as {@code *.jar}. */
    private static List<Path> matches(String source) throws IOException {
        Path path = Path.of(source);
        String name = path.getFileName().toString();
        if (!name.contains("*")) {
            return Files.exists(path) ? List.of(path) : List.of();
        }
        Path folder = path.getParent() == null ? Path.of(".") : path.getParent();
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, name)) {
                entries.forEach(found::add);
            }
        }
        return found;
    }
}
