package io.portcullis.authentication;

import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a verified token is remembered, for how long, and what a remembered one gives back. */
class VerifiedTokensTest {

    private static final long NOW = 1_900_000_000_000L;
    private static final long EXP_SECONDS = NOW / 1000 + 300;
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

    private final SecurityIdentity identity = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("alice"))
            .addRole("llm-user")
            .build();

    @Test
    void tokenFoundUntilLifetimeEnds() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60));
        tokens.remember(TOKEN, identity, claims(EXP_SECONDS), NOW);

        assertThat(tokens.find(TOKEN, NOW)).isNotNull();
        assertThat(tokens.find(TOKEN, NOW + 59_999)).isNotNull();
        assertThat(tokens.find(TOKEN, NOW + 60_000)).isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void entryEndsAtTokenExpiry() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofMinutes(10));
        tokens.remember(TOKEN, identity, claims(NOW / 1000 + 5), NOW);

        assertThat(tokens.find(TOKEN, NOW + 4_999)).isNotNull();
        assertThat(tokens.find(TOKEN, NOW + 5_000)).isNull();
    }

    @Test
    void tokenWithoutFutureExpiryNotRemembered() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60));
        tokens.remember(TOKEN, identity, new JsonObject().put("sub", "alice"), NOW);
        tokens.remember(TOKEN + "a", identity, claims(NOW / 1000), NOW);
        tokens.remember(TOKEN + "b", identity, new JsonObject().put("exp", "soon"), NOW);

        assertThat(tokens.size()).isZero();
    }

    @Test
    void anotherTokenIsNotFound() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60));
        tokens.remember(TOKEN, identity, claims(EXP_SECONDS), NOW);

        assertThat(tokens.find(TOKEN.substring(0, TOKEN.length() - 1) + "f", NOW)).isNull();
        assertThat(tokens.find(TOKEN + "x", NOW)).isNull();
    }

    @Test
    void fullCacheDropsOnlyExpiredEntries() {
        VerifiedTokens tokens = new VerifiedTokens(2, Duration.ofSeconds(60));
        tokens.remember("a.b.one", identity, claims(NOW / 1000 + 1), NOW);
        tokens.remember("a.b.two", identity, claims(EXP_SECONDS), NOW);
        tokens.remember("a.b.three", identity, claims(EXP_SECONDS), NOW);

        assertThat(tokens.find("a.b.three", NOW)).as("no room while both entries are valid").isNull();

        tokens.remember("a.b.three", identity, claims(EXP_SECONDS), NOW + 2_000);

        assertThat(tokens.find("a.b.three", NOW + 2_000)).as("room once the first entry expired").isNotNull();
        assertThat(tokens.find("a.b.two", NOW + 2_000)).isNotNull();
        assertThat(tokens.size()).isEqualTo(2);
    }

    @Test
    void zeroEntriesTurnsTheCacheOff() {
        VerifiedTokens tokens = new VerifiedTokens(0, Duration.ofSeconds(60));
        tokens.remember(TOKEN, identity, claims(EXP_SECONDS), NOW);

        assertThat(tokens.find(TOKEN, NOW)).isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void invalidSettingsNameTheKey() {
        assertThatThrownBy(() -> new VerifiedTokens(-1, Duration.ofSeconds(60)))
                .hasMessageContaining("verified-token-cache.max-entries=-1");
        assertThatThrownBy(() -> new VerifiedTokens(10, Duration.ZERO))
                .hasMessageContaining("verified-token-cache.lifetime=PT0S");
    }

    @Test
    void claimsAreCopied() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60));
        JsonObject claims = claims(EXP_SECONDS);
        tokens.remember(TOKEN, identity, claims, NOW);
        claims.put("sub", "mallory");

        assertThat(tokens.find(TOKEN, NOW).claims().getString("sub")).isEqualTo("alice");
    }

    @Test
    void identityTakesNewRequest() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60));
        SecurityIdentity first = QuarkusSecurityIdentity.builder(identity)
                .addAttribute(RoutingContext.class.getName(), routingContext(Map.of()))
                .build();
        tokens.remember(TOKEN, first, claims(EXP_SECONDS), NOW);
        RoutingContext second = routingContext(new HashMap<>());

        SecurityIdentity restored = tokens.find(TOKEN, NOW).identityFor(second);

        assertThat(restored.getPrincipal().getName()).isEqualTo("alice");
        assertThat(restored.getRoles()).containsExactly("llm-user");
        assertThat((Object) restored.getAttribute(RoutingContext.class.getName())).isSameAs(second);
    }

    private static JsonObject claims(long exp) {
        return new JsonObject().put("sub", "alice").put("exp", exp);
    }

    /** A routing context whose {@code get} reads a map. The cache calls no other method. */
    private static RoutingContext routingContext(Map<String, Object> data) {
        return (RoutingContext) Proxy.newProxyInstance(VerifiedTokensTest.class.getClassLoader(),
                new Class<?>[] {RoutingContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> data.get((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "routing context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
