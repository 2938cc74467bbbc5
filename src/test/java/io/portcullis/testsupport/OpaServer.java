package io.portcullis.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real OPA server of the test's own, serving this clone's opa-policies/ on a free loopback
 * port, so that a test may change its data (for example the number of approvals) without
 * touching the OPA of the local stack. The binary is the one stack/opa.sh installs.
 */
public final class OpaServer {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Process process;
    private int port;

    public void start() {
        Path binary = binary();
        port = freePort();
        Path log;
        try {
            log = Files.createTempFile("portcullis-test-opa", ".log");
            process = new ProcessBuilder(binary.toString(), "run", "--server", "--addr", "127.0.0.1:" + port,
                    "--skip-version-check", "--log-level", "error", Path.of("opa-policies").toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Starting " + binary + " failed", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (healthy()) {
                return;
            }
            sleep(100);
        }
        stop();
        throw new IllegalStateException("OPA at " + url() + " did not become healthy within 30 s; see " + log);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Replaces the data document at a path under data/, such as portcullis/config/approval/min_approvals. */
    public void putData(String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/v1/data/" + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204) {
                throw new IllegalStateException("PUT /v1/data/" + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }

    private boolean healthy() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path binary() {
        String cache = System.getenv().getOrDefault("PORTCULLIS_CACHE",
                System.getProperty("user.home") + "/.cache/portcullis");
        Path binary = Path.of(cache, "bin", "opa");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing; install it with stack/opa.sh install");
        }
        return binary;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
