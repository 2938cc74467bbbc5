package io.portcullis.api;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official OpenAI Python SDK against the gateway and the upstream simulator: usage
 * chunks, n > 1, streamed tool calls, and errors that the SDK must raise.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class OpenAiPythonSdkTest {

    @TestHTTPResource("/v1")
    URL baseUrl;

    @Test
    void sdkChecksPass() throws Exception {
        String python = System.getenv().getOrDefault("PORTCULLIS_PYTHON",
                System.getProperty("user.home") + "/.cache/portcullis/venv/bin/python");
        assertThat(Path.of(python)).as("Python with the openai package; run stack/up --services first").exists();
        Process process = new ProcessBuilder(List.of(python, "src/test/python/openai_sdk_checks.py",
                "--base-url", baseUrl.toString(), "--token", Tokens.alice(), "--model", "sim-gpt"))
                .redirectErrorStream(true)
                .start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("SDK checks finished; output:%n%s", output).isTrue();
        for (String check : List.of("usage", "multiple_choices", "tool_calls", "truncated_stream", "garbage_stream",
                "rate_limit", "bad_token")) {
            assertThat(output).as("check %s; output:%n%s", check, output)
                    .contains("{\"check\": \"" + check + "\", \"passed\": true");
        }
        assertThat(process.exitValue()).as("exit code; output:%n%s", output).isZero();
    }
}
