package io.portcullis.authentication;

import io.portcullis.GatewayConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IdentityMapperTest {

    private static final IdentityMapper MAPPER = new IdentityMapper(new DefaultIdentityConfig());

    @Test
    void personClaimsAreMapped() {
        CallerIdentity caller = MAPPER.map(new JsonObject("""
                {"iss":"https://idp.example/realms/acme","sub":"u-1","preferred_username":"alice",
                 "email":"alice@example.com","groups":["engineers","approvers"],
                 "realm_access":{"roles":["llm-user","offline_access"]},"roles":["llm-user","reviewer"],
                 "azp":"portcullis-cli","purpose":"code-review","exp":1700000000}"""));
        assertThat(caller.issuer()).isEqualTo("https://idp.example/realms/acme");
        assertThat(caller.subject()).isEqualTo("u-1");
        assertThat(caller.username()).isEqualTo("alice");
        assertThat(caller.email()).isEqualTo("alice@example.com");
        assertThat(caller.groups()).containsExactly("engineers", "approvers");
        assertThat(caller.roles()).containsExactly("llm-user", "offline_access", "reviewer");
        assertThat(caller.clientId()).isEqualTo("portcullis-cli");
        assertThat(caller.agent()).isFalse();
        assertThat(caller.purpose()).isEqualTo("code-review");
        assertThat(caller.actor()).isNull();
        assertThat(caller.expiresAt()).isEqualTo(Instant.ofEpochSecond(1700000000));
    }

    @Test
    void clientCredentialsTokenIsAgent() {
        CallerIdentity caller = MAPPER.map(new JsonObject("""
                {"iss":"i","sub":"s","client_id":"build-agent","azp":"build-agent",
                 "preferred_username":"service-account-build-agent","purpose":"ci-build"}"""));
        assertThat(caller.agent()).isTrue();
        assertThat(caller.clientId()).isEqualTo("build-agent");
    }

    @Test
    void delegationChainIsMapped() {
        CallerIdentity caller = MAPPER.map(new JsonObject("""
                {"iss":"i","sub":"alice","act":{"sub":"agent-1","client_id":"runner",
                 "act":{"sub":"orchestrator"}}}"""));
        assertThat(caller.actor().subject()).isEqualTo("agent-1");
        assertThat(caller.actor().clientId()).isEqualTo("runner");
        assertThat(caller.actor().actor().subject()).isEqualTo("orchestrator");
        assertThat(caller.actor().actor().actor()).isNull();
    }

    @Test
    void oddClaimTypesAreIgnored() {
        CallerIdentity caller = MAPPER.map(new JsonObject("""
                {"iss":"i","sub":"s","groups":"solo","realm_access":["not-an-object"],"roles":[1,"r",null],
                 "email":42,"act":"not-an-object","preferred_username":""}"""));
        assertThat(caller.groups()).containsExactly("solo");
        assertThat(caller.roles()).containsExactly("r");
        assertThat(caller.email()).isNull();
        assertThat(caller.actor()).isNull();
        assertThat(caller.username()).isNull();
    }

    /** The defaults declared in {@link GatewayConfig.Identity}. */
    private static final class DefaultIdentityConfig implements GatewayConfig.Identity {
        @Override
        public List<String> usernameClaims() {
            return List.of("preferred_username", "upn", "username");
        }

        @Override
        public String emailClaim() {
            return "email";
        }

        @Override
        public String groupsClaim() {
            return "groups";
        }

        @Override
        public List<String> rolesClaims() {
            return List.of("realm_access/roles", "roles");
        }

        @Override
        public String purposeClaim() {
            return "purpose";
        }

        @Override
        public List<String> clientIdClaims() {
            return List.of("client_id", "azp");
        }

        @Override
        public String agentClaim() {
            return "client_id";
        }
    }
}
