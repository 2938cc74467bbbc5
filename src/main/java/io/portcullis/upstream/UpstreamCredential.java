package io.portcullis.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The API key the gateway presents to one upstream. It prints as {@code [hidden]}, so it
 * cannot reach a log, an error or a metric through {@code toString}. A key read from a file
 * is re-read when the file's modification time changes, checked at most every
 * {@link #FILE_CHECK_INTERVAL}, so that a rotated Kubernetes Secret takes effect without a restart.
 */
public final class UpstreamCredential {

    static final Duration FILE_CHECK_INTERVAL = Duration.ofSeconds(10);

    private static final UpstreamCredential NONE = new UpstreamCredential(() -> null);

    private final Supplier<String> source;

    private UpstreamCredential(Supplier<String> source) {
        this.source = source;
    }

    /** No credential: the upstream (such as a local model server) needs none. */
    public static UpstreamCredential none() {
        return NONE;
    }

    /**
     * Reads the key from an environment variable once, at boot.
     *
     * @throws IllegalArgumentException naming the variable when it is unset or blank
     */
    public static UpstreamCredential fromEnvironment(String variable, String configKey) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(configKey + " names the environment variable " + variable
                    + ", which is unset or empty. Set it to the upstream API key, or remove " + configKey + ".");
        }
        String key = value.strip();
        return new UpstreamCredential(() -> key);
    }

    /**
     * Reads the key from a file now and again whenever the file changes.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or is empty
     */
    public static UpstreamCredential fromFile(Path file, String configKey, Clock clock) {
        FileKey fileKey = new FileKey(file, configKey, clock);
        fileKey.reload();
        return new UpstreamCredential(fileKey::current);
    }

    /** Returns the key, or null when the upstream needs none. */
    public String value() {
        return source.get();
    }

    @Override
    public String toString() {
        return "[hidden]";
    }

    private static final class FileKey {
        private final Path file;
        private final String configKey;
        private final Clock clock;
        private volatile String key;
        private volatile FileTime modified;
        private volatile Instant nextCheck;

        FileKey(Path file, String configKey, Clock clock) {
            this.file = file;
            this.configKey = configKey;
            this.clock = clock;
        }

        String current() {
            Instant now = clock.instant();
            if (now.isAfter(nextCheck)) {
                nextCheck = now.plus(FILE_CHECK_INTERVAL);
                try {
                    if (!Files.getLastModifiedTime(file).equals(modified)) {
                        reload();
                    }
                } catch (IOException | IllegalArgumentException e) {
                    // Keep serving the last good key; a broken mount must not drop traffic.
                }
            }
            return key;
        }

        void reload() {
            try {
                FileTime time = Files.getLastModifiedTime(file);
                String content = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (content.isEmpty()) {
                    throw new IllegalArgumentException(configKey + " points to " + file
                            + ", which is empty. Write the upstream API key into it.");
                }
                key = content;
                modified = time;
                nextCheck = clock.instant().plus(FILE_CHECK_INTERVAL);
            } catch (IOException e) {
                throw new IllegalArgumentException(configKey + " points to " + file + ", which cannot be read ("
                        + e.getClass().getSimpleName() + "). Mount the key file there or fix the path.",
                        new UncheckedIOException(e));
            }
        }
    }
}
