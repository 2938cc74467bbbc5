package io.portcullis.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged gateway ({@code target/quarkus-app/quarkus-run.jar}) started as a separate JVM on
 * a free loopback port, as one replica of a deployment. It inherits the environment, so the
 * PORTCULLIS_DB_* variables choose its database as they do for the tests.
 */
public final class GatewayProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Map<String, String> properties;
    private final int port = OpaServer.freePort();
    private Process process;

    public GatewayProcess(String name, Map<String, String> properties) {
        this.name = name;
        this.properties = Map.copyOf(properties);
    }

    public void start() {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; run the integration tests with ./mvnw verify");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.log.console.json.enabled=false");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Path log = Path.of("target", "gateway-" + name + ".log");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Gateway " + name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready()) {
                return;
            }
            sleep(200);
        }
        kill();
        throw new IllegalStateException("Gateway " + name + " was not ready within 60 s; see " + log);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Ends the process at once, as a crash or an evicted pod would, without a graceful shutdown. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
