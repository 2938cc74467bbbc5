package io.portcullis.api;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.TestIssuer;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Inputs and upstream responses at the edges: ambiguous JSON, odd upstream bodies, HTTP details. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class EdgeCasesTest {

    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    @TestHTTPResource("/")
    URL gateway;

    @Test
    void emptyBodyIsInvalidJson() {
        postRaw(new byte[0]).then().statusCode(400).body("error.code", equalTo("invalid_json"));
    }

    @Test
    void ambiguousJsonIsRejected() {
        String[] bodies = {
            "{\"model\":\"sim-gpt\",/* comment */" + MESSAGES + "}",
            "{\"model\":\"gpt-9\",\"model\":\"sim-gpt\"," + MESSAGES + "}",
            "{\"model\":\"sim-gpt\"," + MESSAGES + ",}",
            "{'model':'sim-gpt'," + MESSAGES + "}",
        };
        for (String body : bodies) {
            postRaw(body.getBytes(StandardCharsets.UTF_8)).then().statusCode(400)
                    .body("error.code", equalTo("invalid_json"));
        }
    }

    @Test
    void nonUtf8BodiesAreRejected() {
        String body = "{\"model\":\"sim-gpt\"," + MESSAGES + "}";
        byte[] withBom = ("\uFEFF" + body).getBytes(StandardCharsets.UTF_8);
        byte[] utf16 = body.getBytes(StandardCharsets.UTF_16);
        byte[] malformed = body.replace("Hi", "H\u00ffi").getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] bytes : new byte[][] {withBom, utf16, malformed}) {
            postRaw(bytes).then().statusCode(400).body("error.code", equalTo("invalid_json"));
        }
    }

    @Test
    void wrongTypeIsNamed() {
        postRaw(("{\"model\":\"sim-gpt\",\"n\":\"2\"," + MESSAGES + "}").getBytes(StandardCharsets.UTF_8))
                .then().statusCode(400)
                .body("error.message", equalTo("'n' must be an integer, got a string."));
    }

    @Test
    void streamAnsweredWithJsonIsBadGateway() {
        postJson("{\"model\":\"odd-json-for-stream\",\"stream\":true," + MESSAGES + "}")
                .then().statusCode(502).body("error.code", equalTo("upstream_invalid_response"));
    }

    @Test
    void upstreamHtmlErrorIsWrapped() {
        Response response = postJson("{\"model\":\"odd-html-400\"," + MESSAGES + "}");
        response.then().statusCode(400)
                .header("Content-Type", containsString("application/json"))
                .body("error.code", equalTo("upstream_rejected"));
        assertThat(response.asString()).doesNotContain(GatewayStackResource.SIMULATOR_API_KEY);
    }

    @Test
    void upstreamEmptyErrorIsWrapped() {
        postJson("{\"model\":\"odd-empty-400\"," + MESSAGES + "}")
                .then().statusCode(400).body("error.code", equalTo("upstream_rejected"));
    }

    @Test
    void echoedUpstreamKeyIsHidden() {
        Response response = postJson("{\"model\":\"odd-json-422-echo\"," + MESSAGES + "}");
        response.then().statusCode(422).body("error.message", containsString("[hidden]"));
        assertThat(response.asString()).doesNotContain(GatewayStackResource.SIMULATOR_API_KEY);
    }

    @Test
    void wrongMethodListsAllowed() {
        given().header("Authorization", "Bearer " + Tokens.alice()).when().put("/v1/models")
                .then().statusCode(405).header("Allow", "GET").body("error.code", equalTo("method_not_allowed"));
        given().header("Authorization", "Bearer " + Tokens.alice()).when().get("/v1/chat/completions")
                .then().statusCode(405).header("Allow", "POST");
    }

    @Test
    void missingTokenIsNamed() {
        given().when().get("/v1/models").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"portcullis\"")
                .body("error.code", equalTo("missing_token"));
    }

    @Test
    void blankSubjectIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        for (String subject : new String[] {" ", "a\u0000b"}) {
            given().header("Authorization", "Bearer " + issuer.sign(issuer.validClaims("erin").put("sub", subject)))
                    .when().get("/v1/models")
                    .then().statusCode(401).body("error.code", equalTo("invalid_token"));
        }
    }

    @Test
    void extraSpacesAfterBearerAreAccepted() {
        given().header("Authorization", "Bearer   " + Tokens.alice()).when().get("/v1/models").then().statusCode(200);
    }

    @Test
    void largePromptIsServed() {
        String content = "Plain words without anything sensitive. ".repeat(600);
        postJson("{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")
                .then().statusCode(200);
    }

    @Test
    void secretsOutsideContentReachPolicy() {
        String key = "AKIAQWERTYUIOPASDFGH";
        String[] bodies = {
            "{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"name\":\"" + key + "\",\"content\":\"Hi\"}]}",
            "{\"model\":\"sim-gpt\",\"user\":\"" + key + "\"," + MESSAGES + "}",
            "{\"model\":\"sim-gpt\"," + MESSAGES + ",\"tools\":[{\"type\":\"function\",\"function\":"
                    + "{\"name\":\"read_file\",\"description\":\"" + key + "\"}}]}",
        };
        for (String body : bodies) {
            postJson(body).then().statusCode(200);
            assertThat(GatewayStackResource.policy.lastInput().getJsonObject("findings").getInteger("AWS_ACCESS_KEY"))
                    .as("findings for %s", body).isEqualTo(1);
        }
    }

    @Test
    void missingHostIsBadRequest() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/models HTTP/1.1\r\nAuthorization: Bearer " + Tokens.alice()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(response).contains("\"invalid_request\"");
        }
    }

    private static Response postRaw(byte[] body) {
        return given().header("Authorization", "Bearer " + Tokens.alice())
                .contentType("application/json").body(body)
                .when().post("/v1/chat/completions");
    }

    private static Response postJson(String body) {
        return postRaw(body.getBytes(StandardCharsets.UTF_8));
    }
}
