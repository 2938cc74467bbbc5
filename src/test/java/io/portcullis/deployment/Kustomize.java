package io.portcullis.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the kustomize binary that stack/kustomize.sh installs. */
final class Kustomize {

    /** Folder of the Kustomize base and overlays, relative to the repository root where Maven runs. */
    static final Path MANIFESTS = Path.of("kubernetes");
    private static final long TIMEOUT_SECONDS = 60;
    /** Rendered output by folder, so that each folder is rendered once per test run. */
    private static final Map<Path, String> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** Lists the base and every folder under kubernetes/overlays, in name order. */
    static List<Path> kustomizations() throws IOException {
        List<Path> folders = new ArrayList<>();
        folders.add(MANIFESTS.resolve("base"));
        try (Stream<Path> overlays = Files.list(MANIFESTS.resolve("overlays"))) {
            overlays.filter(Files::isDirectory).sorted().forEach(folders::add);
        }
        return folders;
    }

    /**
     * Returns {@code $PORTCULLIS_CACHE/bin/kustomize}, or the one in {@code ~/.cache/portcullis}
     * when the variable is unset.
     *
     * @throws IllegalStateException when the binary is missing, with the command that installs it
     */
    static Path binary() {
        String cache = System.getenv("PORTCULLIS_CACHE");
        Path root = cache == null || cache.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "portcullis")
                : Path.of(cache);
        Path binary = root.resolve("bin").resolve("kustomize");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("kustomize not found at " + binary
                    + "; install it with stack/kustomize.sh install");
        }
        return binary;
    }

    /**
     * Renders a kustomization folder, once per test run.
     *
     * @return the YAML stream that {@code kustomize build} prints
     * @throws IllegalStateException when kustomize fails, with its error output
     */
    static String build(Path folder) throws IOException, InterruptedException {
        String rendered = RENDERED.get(folder);
        if (rendered == null) {
            rendered = render(folder);
            RENDERED.put(folder, rendered);
        }
        return rendered;
    }

    private static String render(Path folder) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(binary().toString(), "build", folder.toString())
                    .redirectError(errors.toFile())
                    .start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kustomize build " + folder + " did not finish within "
                        + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kustomize build " + folder + " failed with exit code "
                        + process.exitValue() + ": " + Files.readString(errors).strip());
            }
            return new String(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
