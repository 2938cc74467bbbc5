package io.portcullis.authentication;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the registered claims of a verified token (RFC 7519 section 4.1) against a clock:
 * {@code iss} equals the expected issuer, {@code aud} names one of the expected audiences,
 * {@code exp} is present and later than now, {@code nbf} and {@code iat}, when present, are not
 * later than now. Each time comparison allows the configured clock skew. Times are NumericDate
 * values, integral or not; any other type is rejected as {@link RejectionReason#INVALID_CLAIMS}.
 */
public final class ClaimVerifier {

    private final Clock clock;

    public ClaimVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * The requirements on one issuer's tokens.
     *
     * @param issuer    the exact {@code iss}
     * @param audiences accepted {@code aud} values; the token must name at least one
     * @param skew      clock difference tolerated on {@code exp}, {@code nbf} and {@code iat}
     */
    public record Expectations(String issuer, Set<String> audiences, Duration skew) {

        public Expectations {
            Objects.requireNonNull(issuer, "issuer");
            audiences = Set.copyOf(audiences);
            if (audiences.isEmpty()) {
                throw new IllegalArgumentException("At least one expected audience is required");
            }
            if (skew.isNegative()) {
                throw new IllegalArgumentException("Clock skew must not be negative: " + skew);
            }
        }
    }

    /**
     * Runs every check.
     *
     * @throws RejectedTokenException with the reason of the first failed check
     */
    public void verify(JsonObject claims, Expectations expected) {
        checkIssuer(claims, expected.issuer());
        checkAudience(claims, expected.audiences());
        checkExpiration(claims, expected.skew());
        checkNotBefore(claims, expected.skew());
        checkIssuedAt(claims, expected.skew());
    }

    /**
     * Parses a verified payload as a JWT claims set.
     *
     * @throws RejectedTokenException with {@link RejectionReason#MALFORMED} when it is not a JSON object
     */
    public static JsonObject parseClaims(byte[] payload) {
        try {
            return new JsonObject(Buffer.buffer(payload));
        } catch (DecodeException | ClassCastException e) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
    }

    void checkIssuer(JsonObject claims, String expected) {
        if (!(claims.getValue("iss") instanceof String issuer) || !issuer.equals(expected)) {
            throw new RejectedTokenException(RejectionReason.INVALID_ISSUER);
        }
    }

    /** Accepts {@code aud} as one string or an array of strings (RFC 7519 section 4.1.3). */
    void checkAudience(JsonObject claims, Set<String> expected) {
        Object audience = claims.getValue("aud");
        if (audience instanceof String single && expected.contains(single)) {
            return;
        }
        if (audience instanceof JsonArray several) {
            for (Object item : several) {
                if (item instanceof String name && expected.contains(name)) {
                    return;
                }
            }
        }
        throw new RejectedTokenException(RejectionReason.INVALID_AUDIENCE);
    }

    /** Requires {@code exp}. The token is valid strictly before {@code exp} plus the skew. */
    void checkExpiration(JsonObject claims, Duration skew) {
        if (!claims.containsKey("exp")) {
            throw new RejectedTokenException(RejectionReason.MISSING_EXPIRATION);
        }
        Instant expiration = numericDate(claims.getValue("exp"));
        if (!clock.instant().minus(skew).isBefore(expiration)) {
            throw new RejectedTokenException(RejectionReason.EXPIRED);
        }
    }

    /** Checks {@code nbf} when present: now plus the skew must have reached it. */
    void checkNotBefore(JsonObject claims, Duration skew) {
        checkNotInFuture(claims, "nbf", skew);
    }

    /** Rejects an {@code iat} later than now plus the skew, which comes from a wrong clock or a forger. */
    void checkIssuedAt(JsonObject claims, Duration skew) {
        checkNotInFuture(claims, "iat", skew);
    }

    private void checkNotInFuture(JsonObject claims, String name, Duration skew) {
        if (!claims.containsKey(name)) {
            return;
        }
        Instant instant = numericDate(claims.getValue(name));
        if (clock.instant().plus(skew).isBefore(instant)) {
            throw new RejectedTokenException(RejectionReason.NOT_YET_VALID);
        }
    }

    /** Converts a NumericDate: seconds since the epoch, possibly fractional (RFC 7519 section 2). */
    private static Instant numericDate(Object value) {
        BigDecimal seconds = switch (value) {
            case Integer i -> BigDecimal.valueOf(i);
            case Long l -> BigDecimal.valueOf(l);
            case BigInteger big -> new BigDecimal(big);
            case BigDecimal decimal -> decimal;
            case Double d when Double.isFinite(d) -> BigDecimal.valueOf(d);
            case Float f when Float.isFinite(f) -> BigDecimal.valueOf(f);
            case null, default -> throw new RejectedTokenException(RejectionReason.INVALID_CLAIMS);
        };
        try {
            BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.FLOOR).longValueExact();
            return Instant.ofEpochSecond(whole.longValueExact(), nanos);
        } catch (ArithmeticException | DateTimeException e) {
            throw new RejectedTokenException(RejectionReason.INVALID_CLAIMS);
        }
    }
}
