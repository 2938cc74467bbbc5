package io.portcullis.api;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.PythonScripts;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on real components: a Keycloak token, the official OpenAI Python SDK, the gateway,
 * and the SmolLM2 model served by llama-cpp-python (stack/model.sh).
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class RealModelTest {

    private static final String MODEL = "smollm2-135m-instruct";

    @TestHTTPResource("/v1")
    URL baseUrl;

    @Test
    void pythonSdkStreamsRealModel() throws Exception {
        PythonScripts.Result result = PythonScripts.run("openai_stream.py", 180,
                "--base-url", baseUrl.toString(), "--token", Tokens.alice(), "--model", MODEL);
        String output = result.output();
        assertThat(result.exitCode()).as("SDK exit code; output:%n%s", output).isZero();
        String[] lines = output.strip().split("\n");
        JsonObject summary = new JsonObject(lines[lines.length - 1]);
        assertThat(summary.getString("text")).isNotBlank();
        assertThat(summary.getString("finish_reason")).isIn("stop", "length");
        assertThat(summary.getInteger("chunks")).isGreaterThan(1);
        // NOTE: llama-cpp-python 0.3.36 ignores stream_options.include_usage, so no usage chunk
        // is expected here; ChatCompletionsTest checks that the gateway relays one.
    }
}
