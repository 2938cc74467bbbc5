package io.portcullis.api;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.PythonScripts;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

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
        PythonScripts.Result result = PythonScripts.run("openai_sdk_checks.py", 120,
                "--base-url", baseUrl.toString(), "--token", Tokens.alice(), "--model", "sim-gpt");
        String output = result.output();
        for (String check : List.of("usage", "multiple_choices", "tool_calls", "truncated_stream", "garbage_stream",
                "rate_limit", "bad_token")) {
            assertThat(output).as("check %s; output:%n%s", check, output)
                    .contains("{\"check\": \"" + check + "\", \"passed\": true");
        }
        assertThat(result.exitCode()).as("exit code; output:%n%s", output).isZero();
    }
}
