package io.portcullis.authentication;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registered-claim checks at their edges, with a fixed clock and a 30 s skew. */
class ClaimVerifierTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final long NOW_SECONDS = NOW.getEpochSecond();
    private static final String ISSUER = "https://issuer.example/realms/main";
    private static final ClaimVerifier.Expectations EXPECTED =
            new ClaimVerifier.Expectations(ISSUER, Set.of("portcullis", "portcullis-admin"), Duration.ofSeconds(30));

    private final ClaimVerifier verifier = new ClaimVerifier(Clock.fixed(NOW, ZoneOffset.UTC));

    /** A change to a valid claims set, and the reason it must be rejected with (null: accepted). */
    private record Case(String label, UnaryOperator<JsonObject> change, RejectionReason expected) {
    }

    private static final List<Case> CASES = List.of(
            new Case("valid claims", c -> c, null),
            new Case("aud array with ours", c -> c.put("aud", new JsonArray().add("other").add("portcullis")), null),
            new Case("aud names the second audience", c -> c.put("aud", "portcullis-admin"), null),
            new Case("aud array with a number first", c -> c.put("aud", new JsonArray().add(7).add("portcullis")), null),
            new Case("aud array without ours", c -> c.put("aud", new JsonArray().add("other")), RejectionReason.INVALID_AUDIENCE),
            new Case("aud empty array", c -> c.put("aud", new JsonArray()), RejectionReason.INVALID_AUDIENCE),
            new Case("aud missing", c -> without(c, "aud"), RejectionReason.INVALID_AUDIENCE),
            new Case("aud is a number", c -> c.put("aud", 1), RejectionReason.INVALID_AUDIENCE),
            new Case("aud differs in case", c -> c.put("aud", "Portcullis"), RejectionReason.INVALID_AUDIENCE),
            new Case("iss differs", c -> c.put("iss", "https://evil.example"), RejectionReason.INVALID_ISSUER),
            new Case("iss with trailing slash", c -> c.put("iss", ISSUER + "/"), RejectionReason.INVALID_ISSUER),
            new Case("iss missing", c -> without(c, "iss"), RejectionReason.INVALID_ISSUER),
            new Case("iss is an array", c -> c.put("iss", new JsonArray().add(ISSUER)), RejectionReason.INVALID_ISSUER),
            new Case("exp missing", c -> without(c, "exp"), RejectionReason.MISSING_EXPIRATION),
            new Case("exp null", c -> c.putNull("exp"), RejectionReason.INVALID_CLAIMS),
            new Case("exp is a string", c -> c.put("exp", String.valueOf(NOW_SECONDS + 60)), RejectionReason.INVALID_CLAIMS),
            new Case("exp is a boolean", c -> c.put("exp", true), RejectionReason.INVALID_CLAIMS),
            new Case("exp beyond the time range", c -> c.put("exp", 1e20), RejectionReason.INVALID_CLAIMS),
            new Case("exp larger than a long", c -> c.put("exp", new BigInteger("18446744073709551616")),
                    RejectionReason.INVALID_CLAIMS),
            new Case("exp 29 s ago, inside the skew", c -> c.put("exp", NOW_SECONDS - 29), null),
            new Case("exp 29.5 s ago, inside the skew", c -> c.put("exp", NOW_SECONDS - 29.5), null),
            new Case("exp exactly skew ago", c -> c.put("exp", NOW_SECONDS - 30), RejectionReason.EXPIRED),
            new Case("exp 30.001 s ago", c -> c.put("exp", NOW_SECONDS - 30.001), RejectionReason.EXPIRED),
            new Case("exp before the epoch", c -> c.put("exp", -1), RejectionReason.EXPIRED),
            new Case("nbf 30 s ahead, inside the skew", c -> c.put("nbf", NOW_SECONDS + 30), null),
            new Case("nbf 31 s ahead", c -> c.put("nbf", NOW_SECONDS + 31), RejectionReason.NOT_YET_VALID),
            new Case("nbf 30.5 s ahead", c -> c.put("nbf", NOW_SECONDS + 30.5), RejectionReason.NOT_YET_VALID),
            new Case("nbf is a string", c -> c.put("nbf", "yesterday"), RejectionReason.INVALID_CLAIMS),
            new Case("nbf missing", c -> without(c, "nbf"), null),
            new Case("iat 30 s ahead, inside the skew", c -> c.put("iat", NOW_SECONDS + 30), null),
            new Case("iat 31 s ahead", c -> c.put("iat", NOW_SECONDS + 31), RejectionReason.NOT_YET_VALID),
            new Case("iat ten years ago", c -> c.put("iat", NOW_SECONDS - 315_360_000L), null),
            new Case("iat null", c -> c.putNull("iat"), RejectionReason.INVALID_CLAIMS),
            new Case("iat missing", c -> without(c, "iat"), null));

    @Test
    void claimEdgesAreJudgedAsExpected() {
        for (Case testCase : CASES) {
            JsonObject claims = testCase.change().apply(validClaims());
            RejectionReason actual = reasonFor(claims);
            assertThat(actual).as(testCase.label()).isEqualTo(testCase.expected());
        }
    }

    @Test
    void zeroSkewRejectsAtExpiration() {
        ClaimVerifier.Expectations strict = new ClaimVerifier.Expectations(ISSUER, Set.of("portcullis"), Duration.ZERO);
        JsonObject expiresNow = validClaims().put("exp", NOW_SECONDS);
        JsonObject expiresNextSecond = validClaims().put("exp", NOW_SECONDS + 1);

        assertThatThrownBy(() -> verifier.verify(expiresNow, strict)).isInstanceOf(RejectedTokenException.class);
        verifier.verify(expiresNextSecond, strict);
    }

    @Test
    void expectationsRequireIssuerAudienceAndNonNegativeSkew() {
        assertThatThrownBy(() -> new ClaimVerifier.Expectations(ISSUER, Set.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClaimVerifier.Expectations(null, Set.of("portcullis"), Duration.ZERO))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ClaimVerifier.Expectations(ISSUER, Set.of("portcullis"), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloadThatIsNotAnObjectIsMalformed() {
        for (String payload : List.of("foo", "[1,2]", "", "\"text\"", "{\"iss\":")) {
            assertThatThrownBy(() -> ClaimVerifier.parseClaims(payload.getBytes(StandardCharsets.UTF_8)))
                    .as(payload)
                    .isInstanceOf(RejectedTokenException.class)
                    .extracting(e -> ((RejectedTokenException) e).reason())
                    .isEqualTo(RejectionReason.MALFORMED);
        }
    }

    private RejectionReason reasonFor(JsonObject claims) {
        try {
            verifier.verify(claims, EXPECTED);
            return null;
        } catch (RejectedTokenException e) {
            return e.reason();
        }
    }

    private static JsonObject validClaims() {
        return new JsonObject()
                .put("iss", ISSUER)
                .put("sub", "erin")
                .put("aud", "portcullis")
                .put("iat", NOW_SECONDS - 10)
                .put("nbf", NOW_SECONDS - 10)
                .put("exp", NOW_SECONDS + 290);
    }

    private static JsonObject without(JsonObject claims, String name) {
        claims.remove(name);
        return claims;
    }
}
