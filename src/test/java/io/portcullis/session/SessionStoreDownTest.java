package io.portcullis.session;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Without its session store the gateway fails closed: nothing reaches the upstream. */
@QuarkusTest
@TestProfile(SessionStoreDownTest.StoreDown.class)
@QuarkusTestResource(GatewayStackResource.class)
class SessionStoreDownTest {

    @Test
    void requestFailsClosed() {
        int before = GatewayStackResource.simulator.requests().size();
        given().header("Authorization", "Bearer " + Tokens.alice())
                .contentType("application/json")
                .body("{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(503)
                .body("error.code", equalTo("session_store_unavailable"));
        assertThat(GatewayStackResource.simulator.requests()).hasSize(before);
    }

    /** Points the reactive pool at a closed port and skips the boot-time migration. */
    public static class StoreDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/portcullis",
                    "quarkus.flyway.migrate-at-start", "false");
        }
    }
}
