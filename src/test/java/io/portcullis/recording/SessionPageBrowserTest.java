package io.portcullis.recording;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sessions page in headless Chromium, driven by src/test/js/sessions-page.cjs with
 * playwright-core. Both come from stack/browser.sh install; without them the test fails and
 * says so instead of skipping.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class SessionPageBrowserTest {

    private static final String ANSWER = "Red, green and blue.";

    @Test
    void ownerListsAndReplaysSession() throws Exception {
        GatewayStackResource.policy.reset();
        String token = Tokens.alice();
        JsonObject body = RecordingTest.request(true, Map.of("sim_delay_ms", "30", "sim_answer_b64",
                Base64.getEncoder().encodeToString(ANSWER.getBytes(StandardCharsets.UTF_8))));
        Response response = RecordingTest.chat(token, null, body);
        response.then().statusCode(200);
        String sessionId = response.header("X-Session-Id");
        await().atMost(Duration.ofSeconds(20)).until(() -> given().header("Authorization", "Bearer " + token)
                .get("/v1/sessions/" + sessionId).jsonPath().getList("events").size() >= 4);

        Path playwright = Path.of(env("PORTCULLIS_PLAYWRIGHT_DIR"));
        Path chromium = Path.of(env("PORTCULLIS_CHROMIUM"));
        assertThat(playwright.resolve("node_modules/playwright-core"))
                .as("playwright-core; install it with stack/browser.sh install").isDirectory();
        assertThat(chromium).as("Chromium; install it with stack/browser.sh install").isExecutable();

        ProcessBuilder node = new ProcessBuilder("node", "src/test/js/sessions-page.cjs").redirectErrorStream(true);
        node.environment().putAll(Map.of(
                "GATEWAY_URL", "http://127.0.0.1:" + RestAssured.port,
                "OWNER_TOKEN", token,
                "OTHER_TOKEN", Tokens.bob(),
                "SESSION_ID", sessionId,
                "EXPECTED_TEXT", ANSWER,
                "CHROMIUM", chromium.toString(),
                "PLAYWRIGHT_DIR", playwright.toString()));
        Process process = node.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the browser script ended").isTrue();
        assertThat(process.exitValue()).as("browser script output:\n%s", output).isZero();
    }

    /** Reads a variable that stack/env.sh sets, with its default when the test runs without it. */
    private static String env(String name) {
        String value = System.getenv(name);
        if (value != null) {
            return value;
        }
        String cache = System.getenv().getOrDefault("PORTCULLIS_CACHE", System.getProperty("user.home")
                + "/.cache/portcullis");
        return name.equals("PORTCULLIS_CHROMIUM") ? "/usr/bin/chromium" : cache + "/playwright";
    }
}
