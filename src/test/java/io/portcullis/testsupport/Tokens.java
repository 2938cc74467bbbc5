package io.portcullis.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Caches Keycloak tokens for a test class and fetches new ones well before the 300 s lifespan ends. */
public final class Tokens {

    private static final Duration REUSE_FOR = Duration.ofSeconds(120);
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private Tokens() {
    }

    public static String alice() {
        return cached("alice", () -> KeycloakTokens.person("alice"));
    }

    public static String bob() {
        return cached("bob", () -> KeycloakTokens.person("bob"));
    }

    public static String buildAgent() {
        return cached("build-agent", () -> KeycloakTokens.agent("build-agent", "build-agent-secret"));
    }

    public static String delegatingAgent() {
        return cached("delegating-agent", () -> KeycloakTokens.agent("delegating-agent", "delegating-agent-secret"));
    }

    private static String cached(String name, Supplier<String> fetch) {
        Cached entry = CACHE.get(name);
        if (entry == null || entry.fetchedAt.plus(REUSE_FOR).isBefore(Instant.now())) {
            entry = new Cached(fetch.get(), Instant.now());
            CACHE.put(name, entry);
        }
        return entry.token;
    }

    private record Cached(String token, Instant fetchedAt) {
    }
}
