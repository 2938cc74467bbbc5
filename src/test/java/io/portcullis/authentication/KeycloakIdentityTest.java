package io.portcullis.authentication;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The realm in stack/keycloak issues the claims that the gateway's identity mapping expects. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class KeycloakIdentityTest {

    @Inject
    IdentityMapper mapper;

    @Test
    void personIsMapped() {
        CallerIdentity alice = mapper.map(claims(Tokens.alice()));
        assertThat(alice.issuer()).isEqualTo(KeycloakTokens.ISSUER);
        assertThat(alice.subject()).isNotBlank();
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.email()).isNotBlank();
        assertThat(alice.groups()).containsExactly("engineers");
        assertThat(alice.roles()).contains("llm-user");
        assertThat(alice.clientId()).isEqualTo("portcullis-cli");
        assertThat(alice.agent()).isFalse();
        assertThat(alice.purpose()).isEqualTo("code-review");
        assertThat(alice.actor()).isNull();
        assertThat(alice.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void agentIsMapped() {
        CallerIdentity agent = mapper.map(claims(Tokens.buildAgent()));
        assertThat(agent.agent()).isTrue();
        assertThat(agent.clientId()).isEqualTo("build-agent");
        assertThat(agent.purpose()).isEqualTo("ci-build");
        assertThat(agent.actor()).isNull();
    }

    @Test
    void delegatedTokenHasActor() {
        CallerIdentity delegated = mapper.map(claims(Tokens.delegatingAgent()));
        assertThat(delegated.agent()).isTrue();
        assertThat(delegated.clientId()).isEqualTo("delegating-agent");
        assertThat(delegated.purpose()).isEqualTo("release-automation");
        assertThat(delegated.actor()).isNotNull();
        assertThat(delegated.actor().subject()).isEqualTo("build-agent");
        assertThat(delegated.actor().clientId()).isEqualTo("build-agent");
    }

    private static JsonObject claims(String token) {
        String payload = token.split("\\.")[1];
        return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }
}
