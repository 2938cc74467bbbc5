package io.portcullis.observability;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.TestIssuer;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens and upstream keys never reach logs, metrics or responses, while rejections are
 * still logged with issuer, key id and reason.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class SecretHygieneTest {

    private final List<String> logLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            Object[] parameters = record.getParameters();
            if (parameters != null && message != null) {
                message = message + " " + List.of(parameters);
            }
            String thrown = record.getThrown() == null ? "" : " " + record.getThrown();
            logLines.add(record.getLoggerName() + " " + message + thrown);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void rejectionIsLoggedWithoutToken() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        long now = Instant.now().getEpochSecond();
        JsonObject claims = issuer.validClaims("erin").put("iat", now - 900).put("exp", now - 600);
        String token = issuer.sign(claims);
        given().header("Authorization", "Bearer " + token).when().get("/v1/models").then().statusCode(401);

        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertThat(logLines).anySatisfy(line -> assertThat(line)
                .contains("reason=expired")
                .contains("kid=" + issuer.key().getKeyId())
                .contains(issuer.issuer()));
        assertThat(logLines).noneSatisfy(line -> assertThat(line).contains(signature));
        assertThat(logLines).noneSatisfy(line -> assertThat(line).contains(token.substring(0, 40)));
    }

    @Test
    void secretsStayOutOfLogsAndMetrics() {
        String token = Tokens.alice();
        String body = "{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"metadata\":{\"sim_fault\":\"status:401\"}}";
        String response = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body).when().post("/v1/chat/completions")
                .then().statusCode(502).extract().asString();
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.replace("status:401", "none")).when().post("/v1/chat/completions")
                .then().statusCode(200);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();

        String key = GatewayStackResource.SIMULATOR_API_KEY;
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertThat(response).doesNotContain(key);
        assertThat(metrics).doesNotContain(key).doesNotContain(signature);
        assertThat(logLines).isNotEmpty();
        assertThat(logLines).noneSatisfy(line -> assertThat(line).contains(key));
        assertThat(logLines).noneSatisfy(line -> assertThat(line).contains(signature));
    }
}
