package io.portcullis.authentication;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bearer tokens that passed both verification passes, so that a caller who sends one token with
 * many requests pays for the signature checks once per entry rather than on every request.
 *
 * <p>An entry lives until the token's {@code exp} or for the configured lifetime, whichever comes
 * first. The lifetime bounds how long a token stays accepted after its issuer withdraws the
 * signing key; keep it well below {@code jwks-max-age}. Entries are keyed by the SHA-256 digest of
 * the token, so the cache contains no token. Rejections are never remembered: a token that failed
 * goes through every check again.
 */
final class VerifiedTokens {

    /** A remembered verification: the identity Quarkus OIDC built and the claims the gateway checked. */
    record Entry(SecurityIdentity identity, JsonObject claims, long expiresAtMillis) {

        /**
         * Returns the identity for a new request. Quarkus OIDC ties an identity to the request it
         * authenticated through two attributes, which are replaced here by the current request's.
         */
        SecurityIdentity identityFor(RoutingContext context) {
            String requestContext = AuthenticationRequestContext.class.getName();
            return QuarkusSecurityIdentity.builder(identity)
                    .addAttribute(RoutingContext.class.getName(), context)
                    .addAttribute(requestContext, context.get(requestContext))
                    .build();
        }
    }

    /** The 256-bit digest of a token, as four longs for a cheap hash and comparison. */
    private record Digest(long first, long second, long third, long fourth) {
    }

    private static final MessageDigest SHA_256;
    /** Shortest interval between two sweeps of expired entries, in milliseconds. */
    private static final long SWEEP_INTERVAL_MILLIS = 1_000;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this Java runtime", e);
        }
    }

    private final ConcurrentHashMap<Digest, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long lifetimeMillis;
    private final AtomicLong lastSweepMillis = new AtomicLong();

    /**
     * Creates the cache.
     *
     * @param maxEntries most tokens remembered at once; 0 turns the cache off
     * @param lifetime   longest time an entry is used
     */
    VerifiedTokens(int maxEntries, Duration lifetime) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("Invalid portcullis.authentication.verified-token-cache.max-entries="
                    + maxEntries + ": expected 0 (off) or a positive number of tokens, such as 10000");
        }
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("Invalid portcullis.authentication.verified-token-cache.lifetime="
                    + lifetime + ": expected a positive duration, such as 60s");
        }
        this.maxEntries = maxEntries;
        this.lifetimeMillis = lifetime.toMillis();
    }

    /** Returns the entry of a token that is still valid at the given time, or null. */
    Entry find(String token, long nowMillis) {
        if (maxEntries == 0) {
            return null;
        }
        Digest digest = digest(token);
        Entry entry = entries.get(digest);
        if (entry == null) {
            return null;
        }
        if (nowMillis >= entry.expiresAtMillis()) {
            entries.remove(digest, entry);
            return null;
        }
        return entry;
    }

    /**
     * Remembers a token that passed every check, unless its {@code exp} is missing or already
     * past, or the cache is full of entries that are still valid.
     */
    void remember(String token, SecurityIdentity identity, JsonObject claims, long nowMillis) {
        if (maxEntries == 0 || identity == null || claims == null || !(claims.getValue("exp") instanceof Number exp)) {
            return;
        }
        long expiresAt = Math.min(exp.longValue() * 1000, nowMillis + lifetimeMillis);
        if (expiresAt <= nowMillis) {
            return;
        }
        if (entries.size() >= maxEntries) {
            sweep(nowMillis);
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(digest(token), new Entry(identity, claims.copy(), expiresAt));
    }

    /** Returns how many tokens are remembered, expired ones not yet swept included. */
    int size() {
        return entries.size();
    }

    private void sweep(long nowMillis) {
        long last = lastSweepMillis.get();
        if (nowMillis - last < SWEEP_INTERVAL_MILLIS || !lastSweepMillis.compareAndSet(last, nowMillis)) {
            return;
        }
        entries.values().removeIf(entry -> nowMillis >= entry.expiresAtMillis());
    }

    private static Digest digest(String token) {
        MessageDigest sha256;
        try {
            sha256 = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The SHA-256 implementation cannot be cloned", e);
        }
        ByteBuffer bytes = ByteBuffer.wrap(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
        return new Digest(bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong());
    }
}
