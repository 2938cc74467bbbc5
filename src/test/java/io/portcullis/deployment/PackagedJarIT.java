package io.portcullis.deployment;

import io.portcullis.testsupport.Tokens;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the packaged application, target/quarkus-app/quarkus-run.jar, as its own process with
 * the production profile against the real PostgreSQL, OPA and Keycloak of the local stack, as a
 * container would run it. Maven's failsafe plugin runs this class after {@code package}.
 */
class PackagedJarIT {

    /** Gateway port of this test, beside the 8081 of the in-process tests. */
    private static final int PORT = 8382;
    /** Port of a listener given as the trace exporter's endpoint, to show that nothing connects to it. */
    private static final int TRACE_ENDPOINT_PORT = 8385;
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String BASE = "http://127.0.0.1:" + PORT;

    private static Process gateway;
    private static Path output;
    private static com.sun.net.httpserver.HttpServer traceEndpoint;
    private static final AtomicInteger traceRequests = new AtomicInteger();

    @BeforeAll
    static void startJar() throws Exception {
        Path jar = Path.of(System.getProperty("quarkus.app.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("packaged application; run ./mvnw verify, which packages it first").exists();
        traceEndpoint = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), TRACE_ENDPOINT_PORT), 4);
        traceEndpoint.createContext("/", exchange -> {
            traceRequests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        traceEndpoint.start();

        output = Files.createTempFile("portcullis-jar", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // The PORTCULLIS_* addresses of stack/env.sh are inherited from Maven's environment.
        Map<String, String> environment = builder.environment();
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(PORT));
        environment.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + TRACE_ENDPOINT_PORT);
        environment.remove("QUARKUS_PROFILE");
        gateway = builder.start();
        awaitReady();
    }

    @AfterAll
    static void stopJar() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        if (traceEndpoint != null) {
            traceEndpoint.stop(0);
        }
    }

    @Test
    void readinessReportsOpaAndDatabase() throws Exception {
        HttpResponse<String> response = get("/q/health/ready", null);
        assertThat(response.statusCode()).as("readiness: %s", response.body()).isEqualTo(200);
        JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
        assertThat(statusOf(checks, "opa")).isEqualTo("UP");
        assertThat(statusOf(checks, "Reactive PostgreSQL connections health check")).isEqualTo("UP");
        assertThat(statusOf(checks, "kafka")).isEqualTo("UP");
    }

    @Test
    void authenticatedRequestIsServed() throws Exception {
        HttpResponse<String> response = get("/v1/models", Tokens.alice());
        assertThat(response.statusCode()).as("GET /v1/models: %s", response.body()).isEqualTo(200);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("object")).isEqualTo("list");
        assertThat(body.getJsonArray("data")).isNotNull();
        assertThat(response.headers().firstValue("X-Portcullis-Decision-Id")).isPresent();
    }

    @Test
    void requestWithoutTokenIsRejected() throws Exception {
        HttpResponse<String> response = get("/v1/models", null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
                .isEqualTo("missing_token");
    }

    @Test
    void metricsArePublished() throws Exception {
        get("/v1/models", Tokens.alice());
        HttpResponse<String> response = get("/q/metrics", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("portcullis_policy_decisions_total");
        assertThat(response.body()).contains("http_server_requests_seconds_count");
    }

    @Test
    void logsAreJsonWithoutTokens() throws Exception {
        String token = Tokens.alice();
        get("/v1/models", token);
        List<String> lines = Files.readAllLines(output);
        List<String> notJson = new ArrayList<>();
        int logRecords = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonObject record = new JsonObject(line);
                assertThat(record.getString("level")).as("level of %s", line).isNotBlank();
                assertThat(record.containsKey("message")).as("message of %s", line).isTrue();
                logRecords++;
            } catch (DecodeException e) {
                notJson.add(line);
            }
        }
        assertThat(notJson).as("log lines that are not JSON").isEmpty();
        assertThat(logRecords).as("JSON log records").isPositive();
        assertThat(String.join("\n", lines)).doesNotContain(token);
    }

    @Test
    void tracesAreOffByDefault() throws Exception {
        get("/v1/models", Tokens.alice());
        // The batch span processor exports every 5 s by default. By now, a gateway with traces on
        // would have exported the spans of the requests above.
        Thread.sleep(6_000);
        assertThat(traceRequests.get()).as("requests to the trace exporter's endpoint").isZero();
    }

    private static void awaitReady() throws Exception {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new AssertionError("quarkus-run.jar exited with " + gateway.exitValue() + ":\n" + tail());
            }
            try {
                if (get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // Not listening yet.
            }
            Thread.sleep(500);
        }
        throw new AssertionError("quarkus-run.jar was not ready within " + BOOT_TIMEOUT.toSeconds() + " s:\n" + tail());
    }

    private static String tail() throws IOException {
        List<String> lines = Files.readAllLines(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String statusOf(JsonArray checks, String name) {
        for (Object check : checks) {
            JsonObject object = (JsonObject) check;
            if (name.equals(object.getString("name"))) {
                return object.getString("status");
            }
        }
        return "missing";
    }
}
