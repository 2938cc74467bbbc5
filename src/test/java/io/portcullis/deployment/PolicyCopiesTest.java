package io.portcullis.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubernetes/base/policies contains copies of the policy files of opa-policies/ (without the
 * tests), because Kustomize loads no file from outside its folder. This test fails when a copy
 * differs from its original, is missing or has no original, or when the ConfigMap generator of
 * kubernetes/base/kustomization.yaml does not list it.
 */
class PolicyCopiesTest {

    private static final Path ORIGINALS = Path.of("opa-policies");
    private static final Path COPIES = Kustomize.MANIFESTS.resolve("base").resolve("policies");
    private static final String GENERATOR = "portcullis-opa-policy";

    @Test
    void copiesEqualOriginals() throws IOException {
        Map<Path, String> originals = policyFiles(ORIGINALS);
        Map<Path, String> copies = policyFiles(COPIES);
        assertThat(originals).as("policy files in %s", ORIGINALS).isNotEmpty();
        assertThat(copies.keySet()).as("files in %s; copy them again as kubernetes/README.md shows", COPIES)
                .containsExactlyElementsOf(originals.keySet());
        for (Map.Entry<Path, String> original : originals.entrySet()) {
            assertThat(copies.get(original.getKey()))
                    .as("%s differs from %s; copy it again as kubernetes/README.md shows",
                            COPIES.resolve(original.getKey()), ORIGINALS.resolve(original.getKey()))
                    .isEqualTo(original.getValue());
        }
    }

    @Test
    void generatorListsEveryCopy() throws IOException {
        List<String> expected = new ArrayList<>();
        for (Path file : policyFiles(COPIES).keySet()) {
            // The ConfigMap is mounted flat, so each key is the file name alone.
            expected.add(file.getFileName() + "=policies/" + file.toString().replace('\\', '/'));
        }
        assertThat(generatorFiles()).as("files: of the %s generator in kubernetes/base/kustomization.yaml", GENERATOR)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Relative path to content of every .rego file except tests, and of every data.json, below {@code root}. */
    private static Map<Path, String> policyFiles(Path root) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                String name = path.getFileName().toString();
                boolean policy = name.endsWith(".rego") && !name.endsWith("_test.rego");
                if (policy || name.equals("data.json")) {
                    files.put(root.relativize(path), Files.readString(path));
                }
            }
        }
        return files;
    }

    private static List<String> generatorFiles() throws IOException {
        String yaml = Files.readString(Kustomize.MANIFESTS.resolve("base").resolve("kustomization.yaml"));
        JsonNode kustomization = new StrictKubernetesYaml().documents(yaml).getFirst();
        List<String> files = new ArrayList<>();
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if (GENERATOR.equals(generator.path("name").asText())) {
                generator.path("files").forEach(file -> files.add(file.asText()));
            }
        }
        return files;
    }
}
