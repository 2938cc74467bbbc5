package io.portcullis.authentication;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The public keys of one issuer, fetched from its {@code jwks_uri} and cached.
 *
 * <p>The JWKS is fetched on first use, again when a token names a key id the cache does not
 * contain (the issuer has rotated its keys), and again when the cached keys are older than the
 * maximum age. All fetches together happen at most once per refresh interval, so tokens with
 * made-up key ids cannot make the gateway hammer the issuer. Concurrent requests share one
 * fetch. A failed fetch keeps the last good keys and is logged with the URI and the cause.
 *
 * <p>Symmetric ({@code oct}) entries are dropped on parsing: the gateway never verifies HMAC.
 */
public final class JwksKeySource {

    private static final Logger LOG = Logger.getLogger(JwksKeySource.class);

    private final JsonFetcher fetcher;
    private final String jwksUri;
    private final Duration refreshInterval;
    private final Duration maxAge;
    private final Duration timeout;
    private final Clock clock;

    private final Object lock = new Object();
    private volatile Snapshot snapshot;
    /** Start of the latest fetch, successful or not; guarded by {@link #lock}. */
    private Instant lastFetchStart;
    /** The fetch under way, shared by all requests that wait for it; guarded by {@link #lock}. */
    private CompletableFuture<Snapshot> inFlight;

    /**
     * @param refreshInterval shortest time between the starts of two fetches
     * @param maxAge          age after which cached keys are refetched on the next request
     * @param timeout         connect and idle timeout of one fetch
     */
    public JwksKeySource(HttpClient client, String jwksUri, Duration refreshInterval, Duration maxAge,
            Duration timeout, Clock clock) {
        this(new JsonFetcher(client), jwksUri, refreshInterval, maxAge, timeout, clock);
    }

    JwksKeySource(JsonFetcher fetcher, String jwksUri, Duration refreshInterval, Duration maxAge, Duration timeout,
            Clock clock) {
        this.fetcher = fetcher;
        this.jwksUri = jwksUri;
        this.refreshInterval = refreshInterval;
        this.maxAge = maxAge;
        this.timeout = timeout;
        this.clock = clock;
    }

    public String jwksUri() {
        return jwksUri;
    }

    /**
     * Returns the keys to verify a token with, fetching the JWKS first when needed and allowed.
     * A needed fetch starts when this method is called, not when the returned Uni is subscribed.
     *
     * @param keyId the token's {@code kid}, or null when its header has none
     * @return the cached keys, which may lack {@code keyId} when a refetch was not allowed yet;
     *         fails with {@link RejectionReason#KEYS_UNAVAILABLE} while no fetch has ever succeeded
     */
    public Uni<List<JsonWebKey>> keysFor(String keyId) {
        Snapshot current = snapshot;
        if (current != null && !needsRefetch(current, keyId)) {
            return Uni.createFrom().item(current.keys());
        }
        CompletableFuture<Snapshot> fetch = startFetchIfDue();
        if (fetch == null) {
            return keysOf(current);
        }
        return Uni.createFrom().completionStage(fetch).onItem().transformToUni(JwksKeySource::keysOf);
    }

    private boolean needsRefetch(Snapshot current, String keyId) {
        if (keyId != null && !current.keyIds().contains(keyId)) {
            return true;
        }
        return !clock.instant().isBefore(current.fetchedAt().plus(maxAge));
    }

    private static Uni<List<JsonWebKey>> keysOf(Snapshot snapshot) {
        if (snapshot == null) {
            return Uni.createFrom().failure(new RejectedTokenException(RejectionReason.KEYS_UNAVAILABLE));
        }
        return Uni.createFrom().item(snapshot.keys());
    }

    /** Returns the fetch under way, starts one if the refresh interval allows it, or returns null. */
    private CompletableFuture<Snapshot> startFetchIfDue() {
        CompletableFuture<Snapshot> result;
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
            Instant now = clock.instant();
            if (lastFetchStart != null && now.isBefore(lastFetchStart.plus(refreshInterval))) {
                return null;
            }
            lastFetchStart = now;
            result = new CompletableFuture<>();
            inFlight = result;
        }
        // The fetch starts outside the lock because a failure can complete it on this thread.
        CompletionStage<JsonObject> fetch;
        try {
            fetch = fetcher.fetch(jwksUri, timeout);
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.whenComplete((jwks, failure) -> {
            Snapshot latest = failure == null ? store(jwks) : keepLastGood(failure);
            synchronized (lock) {
                inFlight = null;
            }
            result.complete(latest);
        });
        return result;
    }

    private Snapshot store(JsonObject jwks) {
        List<JsonWebKey> keys;
        try {
            keys = parseKeys(jwks);
        } catch (JsonFetcher.FetchFailedException e) {
            return keepLastGood(e);
        }
        Set<String> keyIds = new HashSet<>();
        for (JsonWebKey key : keys) {
            if (key.getKeyId() != null) {
                keyIds.add(key.getKeyId());
            }
        }
        Snapshot fresh = new Snapshot(List.copyOf(keys), Set.copyOf(keyIds), clock.instant());
        snapshot = fresh;
        LOG.debugf("Fetched JWKS %s: %d keys, key ids %s", jwksUri, keys.size(), keyIds);
        return fresh;
    }

    private Snapshot keepLastGood(Throwable failure) {
        Snapshot last = snapshot;
        if (last == null) {
            LOG.warnf("JWKS fetch from %s failed: %s; no keys are cached, so tokens of this issuer are rejected",
                    jwksUri, describe(failure));
        } else {
            LOG.warnf("JWKS fetch from %s failed: %s; keeping the %d keys fetched at %s", jwksUri,
                    describe(failure), last.keys().size(), last.fetchedAt());
        }
        return last;
    }

    /** Parses the public keys of a JWKS; entries that do not parse and symmetric keys are skipped. */
    static List<JsonWebKey> parseKeys(JsonObject jwks) {
        if (!(jwks.getValue("keys") instanceof JsonArray entries)) {
            throw new JsonFetcher.FetchFailedException("JWKS has no \"keys\" array");
        }
        List<JsonWebKey> keys = new ArrayList<>();
        int skipped = 0;
        for (Object entry : entries) {
            JsonWebKey key = entry instanceof JsonObject object ? parseKey(object) : null;
            if (key == null) {
                skipped++;
            } else {
                keys.add(key);
            }
        }
        if (skipped > 0) {
            LOG.debugf("Skipped %d JWKS entries that are symmetric or not valid public keys", skipped);
        }
        return keys;
    }

    private static JsonWebKey parseKey(JsonObject entry) {
        try {
            JsonWebKey key = JsonWebKey.Factory.newJwk(entry.encode());
            return key instanceof PublicJsonWebKey ? key : null;
        } catch (JoseException | RuntimeException e) {
            return null;
        }
    }

    /** Names the failure without a stack trace; messages come from our fetcher or Vert.x, never from a token. */
    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private record Snapshot(List<JsonWebKey> keys, Set<String> keyIds, Instant fetchedAt) {
    }
}
