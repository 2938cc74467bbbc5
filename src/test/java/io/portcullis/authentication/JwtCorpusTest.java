package io.portcullis.authentication;

import io.portcullis.GatewayConfig;
import io.portcullis.testsupport.JwksServer;
import io.smallrye.config.WithDefault;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Runs the verdict-labelled JOSE vectors in {@code src/test/resources/jwt} (origins in the
 * SOURCES.md there) through the gateway's own token checks and compares each verdict with the
 * vector's.
 *
 * <ul>
 * <li>Wycheproof JWS and JWK vectors: signature layer ({@link JwsSignatureVerifier} with the
 *     default allow-list). Each test group's key is served from a loopback JWKS and fetched
 *     through {@link JwksKeySource}, so the real fetch and parse path runs. Their payloads, such
 *     as {@code foo}, are not JSON, so the token screen and claim layer do not apply.</li>
 * <li>Wycheproof JWE vectors and the RFC 8037 ECDH-ES example: {@link TokenScreen}.</li>
 * <li>RFC 7520 cookbook, RFC 8037 Ed25519 and RFC 7797 JWS, RFC 7515 examples: signature layer.
 *     The RFC 7519 example claims: claim layer at two fixed clocks.</li>
 * <li>lua-resty-jwt-verification cases: screen, signature and claim layer, as in production
 *     minus the issuer lookup. Its options map onto the layers: {@code valid_signing_algorithms}
 *     narrows the allow-list, {@code issuer} and {@code audiences} become the expected issuer and
 *     audiences, {@code current_unix_timestamp} and {@code timestamp_skew_seconds} set the clock
 *     and skew. Claims that the case does not configure are not required, exp included, as in
 *     lua-resty. Exp, nbf and iat are checked when present. Without a given time the clock is
 *     {@link #CORPUS_NOW}, which is after every iat in the cases and before their far-future exp
 *     and nbf. Cases that need a feature the gateway does not have are listed with the reason.</li>
 * </ul>
 *
 * <p>Verdict rules. A vector's {@code valid}/{@code accept} must be accepted and
 * {@code invalid}/{@code reject} rejected. Wycheproof's {@code acceptable} admits either verdict
 * (none of the JWS vectors uses it). Every token whose algorithm is outside the gateway's
 * allow-list, or whose key is symmetric, must be rejected whatever the vector's verdict, and
 * every JWE must be rejected. Any other difference fails its test, except the cases listed with
 * their reasons in {@link #WYCHEPROOF_STRICTER} and {@link #LUA_LISTED}, and the cookbook examples
 * that exist only in JSON serialization. The summary is printed and written to {@code target/jwt-corpus.md}, the source of
 * {@code docs/jwt-corpus.md}.
 */
class JwtCorpusTest {

    /** The default of {@code portcullis.authentication.allowed-algorithms}, read from its annotation. */
    private static final List<String> GATEWAY_ALGORITHMS = defaultAllowedAlgorithms();

    /** The clock for cases without their own time; see the class comment. */
    static final Instant CORPUS_NOW = Instant.parse("2025-09-01T00:00:00Z");

    private static final Clock CORPUS_CLOCK = Clock.fixed(CORPUS_NOW, ZoneOffset.UTC);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_TOKEN_LENGTH = 8192;

    private static final String WYCHEPROOF_JWS = "Wycheproof JWS";
    private static final String WYCHEPROOF_JWK = "Wycheproof JWK";
    private static final String WYCHEPROOF_JWE = "Wycheproof JWE";
    private static final String RFC = "RFC examples";
    private static final String LUA = "lua-resty-jwt-verification";
    private static final List<String> SOURCE_ORDER = List.of(WYCHEPROOF_JWS, WYCHEPROOF_JWK, WYCHEPROOF_JWE, RFC, LUA);

    /** Wycheproof JWS cases the gateway rejects although the vector is valid, by tcId. */
    static final Map<Integer, String> WYCHEPROOF_STRICTER = Map.of(
            346, "key alg PS256, token alg PS384: a key is used only for the algorithm it names (RFC 7517"
                    + " section 4.4), as Wycheproof's own WrongPrimitive cases 331 to 340 expect",
            350, "key alg PS256, token alg PS384: a key is used only for the algorithm it names (RFC 7517"
                    + " section 4.4), as Wycheproof's own WrongPrimitive cases 331 to 340 expect",
            347, "key alg ES521, token alg ES512: ES521 is no registered algorithm, and a key is used only for"
                    + " the algorithm it names",
            351, "key alg ES521, token alg ES512: ES521 is no registered algorithm, and a key is used only for"
                    + " the algorithm it names");

    /** lua-resty-jwt-verification cases that use a feature the gateway does not have, by description. */
    static final Map<String, String> LUA_LISTED = Map.ofEntries(
            Map.entry("ok", "decode_header_unsafe: reads a header without verifying; the gateway has no such API"),
            Map.entry("error, invalid jwt received", "decode_header_unsafe: reads a header without verifying"),
            Map.entry("error, invalid json in base64 decoded header",
                    "decode_header_unsafe: reads a header without verifying"),
            Map.entry("validation claim aud, custom value, error, invalid configuration empty parameter audiences",
                    "validation of lua-resty options; the gateway refuses an empty token.audience at boot instead"),
            Map.entry("validation claim aud, custom value, error, invalid configuration is not an array",
                    "validation of lua-resty options given as a Lua table"),
            Map.entry("validation valid_signing_algorithms, custom value, error, invalid configuration is not an array",
                    "validation of lua-resty options"),
            Map.entry("validation claim crit, claim is supported, ok",
                    "crit: the gateway implements no JWS extension and rejects every token with crit"),
            Map.entry("validation claim exp, custom value, ignore", "ignore_expiration: the gateway always checks exp"),
            Map.entry("validation claim nbf, custom value, ignore", "ignore_not_before: the gateway always checks nbf"),
            Map.entry("validation claim exp, custom current_unix_timestamp, ok",
                    "iat (2024-05-30) is later than the case's clock (1999-02-01); the gateway rejects that and"
                            + " lua-resty does not check iat. The exp check alone accepts (asserted)"),
            Map.entry("validation claim exp, custom current_unix_timestamp and timestamp_skew_seconds, ok",
                    "iat (2024-05-30) is later than the case's clock (2000-02-01) plus skew; the gateway rejects"
                            + " that and lua-resty does not check iat. The exp check alone accepts (asserted)"),
            Map.entry("validation claim jti, custom value, ok", "jwtid: the gateway does not pin jti"),
            Map.entry("validation claim jti, custom value, error, value mismatch", "jwtid: the gateway does not pin jti"),
            Map.entry("validation claim sub, custom value, ok", "subject: the gateway does not pin sub"),
            Map.entry("validation claim sub, custom value, error, value mismatch", "subject: the gateway does not pin sub"),
            Map.entry("validation header claim typ, custom value, ok", "typ: the gateway does not check the typ header"),
            Map.entry("validation header claim typ, custom value, error, value mismatch",
                    "typ: the gateway does not check the typ header"),
            Map.entry("error, invalid configuration, token and secret are nil",
                    "no token: a request without a token is never authenticated (AuthenticationTest)"),
            Map.entry("error, invalid configuration, token is nil",
                    "no token: a request without a token is never authenticated (AuthenticationTest)"));

    /** The two listed lua-resty cases whose exp check alone is asserted to accept. */
    private static final Set<String> LUA_IAT_AFTER_CLOCK = Set.of(
            "validation claim exp, custom current_unix_timestamp, ok",
            "validation claim exp, custom current_unix_timestamp and timestamp_skew_seconds, ok");

    /** Parts of lua-resty error messages that come from a claim check. */
    private static final List<String> LUA_CLAIM_ERRORS = List.of("claim 'iss'", "claim 'aud'", "(exp claim)", "(nbf claim)");

    private static final List<Outcome> OUTCOMES = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static HttpClient client;
    private static JwksServer server;

    private final JwsSignatureVerifier gatewayVerifier = new JwsSignatureVerifier(GATEWAY_ALGORITHMS);

    @BeforeAll
    static void startJwksServer() {
        vertx = Vertx.vertx();
        client = vertx.createHttpClient();
        server = new JwksServer(vertx).start();
    }

    @AfterAll
    static void writeSummary() throws IOException {
        String report = CorpusReport.render(OUTCOMES, SOURCE_ORDER, GATEWAY_ALGORITHMS);
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "jwt-corpus.md"), report);
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    // --- Wycheproof ---

    @TestFactory
    List<DynamicContainer> wycheproofSignatures() {
        return wycheproofGroups("/jwt/wycheproof/json_web_signature_test.json", WYCHEPROOF_JWS, WYCHEPROOF_STRICTER,
                Map.of());
    }

    @TestFactory
    List<DynamicContainer> wycheproofKeys() {
        return wycheproofGroups("/jwt/wycheproof/json_web_key_test.json", WYCHEPROOF_JWK, Map.of(), Map.of());
    }

    private List<DynamicContainer> wycheproofGroups(String resource, String source, Map<Integer, String> stricter,
            Map<Integer, String> listed) {
        JsonArray groups = load(resource).getJsonArray("testGroups");
        List<DynamicContainer> containers = new ArrayList<>();
        for (int index = 0; index < groups.size(); index++) {
            JsonObject group = groups.getJsonObject(index);
            List<JsonObject> keys = groupKeys(group);
            String path = "/" + source.replace(' ', '-') + "/group-" + index;
            server.publishKeys(path, keys.toArray(JsonObject[]::new));
            JwksKeySource keySource = newKeySource(path);
            boolean symmetric = keys.stream().anyMatch(key -> "oct".equals(key.getValue("kty")));
            List<DynamicTest> tests = new ArrayList<>();
            for (Object item : group.getJsonArray("tests")) {
                JsonObject test = (JsonObject) item;
                int tcId = test.getInteger("tcId");
                String label = "tc " + tcId + " " + test.getString("comment") + " [" + test.getString("result") + "]";
                tests.add(dynamicTest(label, () -> runWycheproof(source, label, test, keySource, symmetric,
                        stricter.get(tcId), listed.get(tcId))));
            }
            String groupLabel = "group " + index + " " + group.getString("comment") + " " + keyIds(keys);
            containers.add(dynamicContainer(groupLabel, tests));
        }
        return containers;
    }

    private void runWycheproof(String source, String label, JsonObject test, JwksKeySource keySource,
            boolean symmetricKey, String stricterReason, String listedReason) {
        String token = test.getString("jws");
        String algorithm = unverifiedAlgorithm(token);
        boolean outsideAllowList = symmetricKey || isOutsideAllowList(algorithm);
        Verdict verdict = signatureVerdict(token, keySource, gatewayVerifier);
        Expected expected = Expected.ofWycheproof(test.getString("result"));
        Status status = judge(expected, verdict, outsideAllowList, listedReason, stricterReason);
        String note = stricterReason != null ? stricterReason : listedReason;
        record(new Outcome(source, "signature", label, expected, verdict, status, note));
        if (stricterReason != null) {
            assertThat(verdict.reason()).as(label + ": rejected for its key").isEqualTo(RejectionReason.UNUSABLE_KEY);
        }
    }

    @TestFactory
    List<DynamicTest> wycheproofEncryption() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Object groupItem : load("/jwt/wycheproof/json_web_encryption_test.json").getJsonArray("testGroups")) {
            for (Object item : ((JsonObject) groupItem).getJsonArray("tests")) {
                JsonObject test = (JsonObject) item;
                String label = "tc " + test.getInteger("tcId") + " " + test.getString("comment") + " ["
                        + test.getString("result") + "]";
                tests.add(dynamicTest(label, () -> runEncrypted(WYCHEPROOF_JWE, label,
                        Expected.ofWycheproof(test.getString("result")), test.getString("jwe"))));
            }
        }
        return tests;
    }

    /** A JWE must be rejected by the screen, and by the signature layer too if it ever got there. */
    private void runEncrypted(String source, String label, Expected expected, String jwe) {
        Verdict screened = screenVerdict(jwe, GATEWAY_ALGORITHMS);
        Verdict signature = verdictOf(() -> gatewayVerifier.verify(jwe, List.of()));
        Status status = screened.accepted() ? Status.MISMATCHED : Status.ENCRYPTED;
        record(new Outcome(source, "screen", label, expected, screened, status, null));
        assertThat(signature.accepted()).as(label + ": signature layer").isFalse();
    }

    // --- RFC examples ---

    /** Cookbook files with a compact serialization, all valid examples. */
    private static final List<String> COOKBOOK_COMPACT = List.of(
            "jws/4_1.rsa_v15_signature.json",
            "jws/4_2.rsa-pss_signature.json",
            "jws/4_3.ecdsa_signature.json",
            "jws/4_4.hmac-sha2_integrity_protection.json",
            "jws/4_5.signature_with_detached_content.json",
            "curve25519/jws.json",
            "rfc7797/hmac-sha2_b64_false.json");

    /** Cookbook files with a JSON serialization only. */
    private static final List<String> COOKBOOK_JSON_ONLY = List.of(
            "jws/4_6.protecting_specific_header_fields.json",
            "jws/4_7.protecting_content_only.json",
            "jws/4_8.multiple_signatures.json",
            "rfc7797/4.2.hmac-sha2_b64_false.json");

    @TestFactory
    List<DynamicTest> rfcExamples() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : COOKBOOK_COMPACT) {
            tests.add(dynamicTest(file, () -> runCookbookCompact(file)));
        }
        for (String file : COOKBOOK_JSON_ONLY) {
            tests.add(dynamicTest(file, () -> runCookbookJsonOnly(file)));
        }
        tests.add(dynamicTest("curve25519/ecdh-es.json", () -> runEncrypted(RFC, "RFC 8037 ECDH-ES (curve25519/ecdh-es.json)",
                Expected.ACCEPT, cookbook("curve25519/ecdh-es.json").getJsonObject("output").getString("compact"))));
        for (Object item : load("/jwt/rfc7515_7519_examples.json").getJsonArray("vectors")) {
            JsonObject vector = (JsonObject) item;
            tests.add(dynamicTest(vector.getString("id"), () -> runRfc7515(vector)));
        }
        tests.add(dynamicTest("RFC 7519 3.1 claims at the corpus clock",
                () -> runRfc7519Claims("RFC 7519 3.1 claims at " + CORPUS_NOW, CORPUS_CLOCK, Expected.REJECT)));
        Instant beforeExpiry = Instant.ofEpochSecond(1300819380L - 60);
        tests.add(dynamicTest("RFC 7519 3.1 claims before exp", () -> runRfc7519Claims(
                "RFC 7519 3.1 claims at " + beforeExpiry, Clock.fixed(beforeExpiry, ZoneOffset.UTC), Expected.ACCEPT)));
        return tests;
    }

    private void runCookbookCompact(String file) {
        JsonObject example = cookbook(file);
        String token = example.getJsonObject("output").getString("compact");
        JsonObject key = publicPart(example.getJsonObject("input").getJsonObject("key"));
        String path = "/rfc/" + file;
        server.publishKeys(path, key);
        String algorithm = unverifiedAlgorithm(token);
        boolean outsideAllowList = "oct".equals(key.getValue("kty")) || isOutsideAllowList(algorithm);
        Verdict verdict = signatureVerdict(token, newKeySource(path), gatewayVerifier);
        String label = example.getString("title") + " (" + file + ")";
        Status status = judge(Expected.ACCEPT, verdict, outsideAllowList, null, null);
        record(new Outcome(RFC, "signature", label, Expected.ACCEPT, verdict, status, null));
    }

    /** JSON serialization is no bearer token: RFC 7519 section 1 limits JWTs to the compact forms. */
    private void runCookbookJsonOnly(String file) {
        JsonObject example = cookbook(file);
        String json = example.getJsonObject("output").getJsonObject("json").encode();
        Set<String> algorithms = signingAlgorithms(example.getValue("signing"));
        boolean outsideAllowList = !algorithms.isEmpty() && GATEWAY_ALGORITHMS.stream().noneMatch(algorithms::contains);
        Verdict verdict = verdictOf(() -> gatewayVerifier.verify(json, List.of()));
        String label = example.getString("title") + " (" + file + ", JSON serialization)";
        String listed = "JSON serialization: bearer tokens are compact JWS (RFC 7519 section 1)";
        Status status = judge(Expected.ACCEPT, verdict, outsideAllowList, listed, null);
        record(new Outcome(RFC, "signature", label, Expected.ACCEPT, verdict, status, listed));
    }

    private void runRfc7515(JsonObject vector) {
        String token = vector.getString("token");
        JsonObject key = vector.getJsonObject("key_jwk");
        String path = "/rfc/" + vector.getString("id").replace(' ', '-');
        if (key == null) {
            server.publishKeys(path);
        } else {
            server.publishKeys(path, key);
        }
        boolean outsideAllowList = isOutsideAllowList(unverifiedAlgorithm(token));
        Verdict verdict = signatureVerdict(token, newKeySource(path), gatewayVerifier);
        Status status = judge(Expected.ACCEPT, verdict, outsideAllowList, null, null);
        record(new Outcome(RFC, "signature", vector.getString("id") + " " + vector.getString("description"),
                Expected.ACCEPT, verdict, status, null));
    }

    /** Checks iss and the times only, because the RFC 7519 example names issuer joe and no audience. */
    private void runRfc7519Claims(String label, Clock clock, Expected expected) {
        JsonObject vector = load("/jwt/rfc7515_7519_examples.json").getJsonArray("vectors").getJsonObject(0);
        JsonObject claims = unverifiedPayload(vector.getString("token"));
        ClaimVerifier verifier = new ClaimVerifier(clock);
        Verdict verdict = verdictOf(() -> {
            verifier.checkIssuer(claims, "joe");
            verifier.checkExpiration(claims, Duration.ZERO);
            verifier.checkNotBefore(claims, Duration.ZERO);
            verifier.checkIssuedAt(claims, Duration.ZERO);
        });
        record(new Outcome(RFC, "claims", label, expected, verdict, judge(expected, verdict, false, null, null), null));
    }

    // --- lua-resty-jwt-verification ---

    @TestFactory
    List<DynamicTest> luaResty() {
        JsonArray cases = loadArray("/jwt/lua-resty-jwt-verification_jws_cases.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (int index = 0; index < cases.size(); index++) {
            JsonObject testCase = cases.getJsonObject(index);
            String label = "#" + index + " " + testCase.getString("description");
            int caseIndex = index;
            tests.add(dynamicTest(label, () -> runLua(caseIndex, label, testCase)));
        }
        return tests;
    }

    @Test
    void listedLuaCasesExist() {
        Set<String> descriptions = new HashSet<>();
        for (Object item : loadArray("/jwt/lua-resty-jwt-verification_jws_cases.json")) {
            descriptions.add(((JsonObject) item).getString("description"));
        }
        assertThat(descriptions).containsAll(LUA_LISTED.keySet());
    }

    private void runLua(int index, String label, JsonObject testCase) {
        String description = testCase.getString("description");
        String listed = LUA_LISTED.get(description);
        Expected expected = Expected.ofLua(testCase.getString("expected_verdict"));
        String token = testCase.getString("token");
        if (token == null) {
            assertThat(listed).as(label + ": a case without a token must be listed").isNotNull();
            record(new Outcome(LUA, "screen + signature + claims", label, expected, Verdict.NOT_RUN, Status.LISTED,
                    listed));
            return;
        }
        JsonObject options = testCase.getValue("verifier_options") instanceof JsonObject object ? object : new JsonObject();
        String algorithm = unverifiedAlgorithm(token);
        boolean outsideAllowList = isOutsideAllowList(algorithm);
        Clock clock = luaClock(options);
        String path = "/lua/" + index;
        JsonObject key = luaKey(testCase.getValue("key"), algorithm);
        if (key == null) {
            server.publishKeys(path);
        } else {
            server.publishKeys(path, key);
        }
        Verdict verdict = luaGatewayVerdict(token, luaAllowList(options), newKeySource(path), options, clock);
        Status status = judge(expected, verdict, outsideAllowList, listed, null);
        record(new Outcome(LUA, "screen + signature + claims", label, expected, verdict, status, listed));

        // In production an HMAC token never reaches the claim layer, so here it runs on the payload alone.
        if (outsideAllowList && listed == null && isClaimVerdict(testCase)) {
            JsonObject claims = unverifiedPayload(token);
            Verdict claimVerdict = verdictOf(() -> checkLuaClaims(claims, options, clock));
            record(new Outcome(LUA, "claims only (HMAC case)", label, expected, claimVerdict,
                    judge(expected, claimVerdict, false, null, null), null));
        }
        if (LUA_IAT_AFTER_CLOCK.contains(description)) {
            Duration skew = Duration.ofSeconds(options.getLong("timestamp_skew_seconds", 0L));
            Verdict expiration = verdictOf(() -> new ClaimVerifier(clock).checkExpiration(unverifiedPayload(token), skew));
            assertThat(expiration.accepted()).as(label + ": exp check alone").isTrue();
        }
    }

    private static Verdict luaGatewayVerdict(String token, List<String> allowList, JwksKeySource keySource,
            JsonObject options, Clock clock) {
        return verdictOf(() -> {
            JsonObject header = new TokenScreen(Set.copyOf(allowList), MAX_TOKEN_LENGTH).check(token);
            String keyId = header.getValue("kid") instanceof String kid ? kid : null;
            List<JsonWebKey> keys = keySource.keysFor(keyId).await().atMost(TIMEOUT);
            JwsSignatureVerifier.VerifiedJws verified = new JwsSignatureVerifier(allowList).verify(token, keys);
            checkLuaClaims(ClaimVerifier.parseClaims(verified.payload()), options, clock);
        });
    }

    /** Runs the claim checks that the case's options ask for, plus the time checks on the claims present. */
    private static void checkLuaClaims(JsonObject claims, JsonObject options, Clock clock) {
        ClaimVerifier verifier = new ClaimVerifier(clock);
        Duration skew = Duration.ofSeconds(options.getLong("timestamp_skew_seconds", 0L));
        if (options.getValue("issuer") instanceof String issuer) {
            verifier.checkIssuer(claims, issuer);
        }
        if (options.getValue("audiences") instanceof JsonArray audiences && !audiences.isEmpty()) {
            Set<String> expected = new LinkedHashSet<>();
            audiences.forEach(audience -> expected.add(String.valueOf(audience)));
            verifier.checkAudience(claims, expected);
        }
        if (claims.containsKey("exp")) {
            verifier.checkExpiration(claims, skew);
        }
        verifier.checkNotBefore(claims, skew);
        verifier.checkIssuedAt(claims, skew);
    }

    private static boolean isClaimVerdict(JsonObject testCase) {
        String error = testCase.getString("expected_error");
        return error == null || LUA_CLAIM_ERRORS.stream().anyMatch(error::contains);
    }

    private static Clock luaClock(JsonObject options) {
        Long now = options.getLong("current_unix_timestamp");
        return now == null ? CORPUS_CLOCK : Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
    }

    /** Returns the gateway's allow-list, narrowed by {@code valid_signing_algorithms} when the case gives it as a table. */
    private static List<String> luaAllowList(JsonObject options) {
        if (!(options.getValue("valid_signing_algorithms") instanceof JsonObject algorithms)) {
            return GATEWAY_ALGORITHMS;
        }
        List<String> allowed = new ArrayList<>();
        for (String algorithm : GATEWAY_ALGORITHMS) {
            if (algorithms.getMap().containsValue(algorithm)) {
                allowed.add(algorithm);
            }
        }
        return allowed;
    }

    /**
     * Turns a case's key into a JWK: a PEM public key or JWK as given, an HMAC secret as an oct
     * key (published, so the test shows the gateway refuses it even then), anything else as none.
     */
    private static JsonObject luaKey(Object key, String algorithm) {
        if (!(key instanceof String text)) {
            return null;
        }
        if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
            return pemToJwk(text);
        }
        if (text.startsWith("{")) {
            return new JsonObject(text);
        }
        if (algorithm != null && algorithm.startsWith("HS")) {
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
            return new JsonObject().put("kty", "oct").put("k", secret);
        }
        return null;
    }

    /** Returns the JWK of a PEM public key, or null for a curve the JDK does not support (secp256k1). */
    private static JsonObject pemToJwk(String pem) {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                return new JsonObject(PublicJsonWebKey.Factory.newPublicJwk(key)
                        .toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            } catch (GeneralSecurityException | JoseException e) {
                // Not a key of this type; try the next.
            }
        }
        return null;
    }

    // --- verdicts ---

    enum Expected {
        ACCEPT("accept"), REJECT("reject"), EITHER("acceptable"), NONE("n/a");

        final String label;

        Expected(String label) {
            this.label = label;
        }

        static Expected ofWycheproof(String result) {
            return switch (result) {
                case "valid" -> ACCEPT;
                case "invalid" -> REJECT;
                case "acceptable" -> EITHER;
                default -> throw new IllegalArgumentException("Unknown Wycheproof result " + result);
            };
        }

        static Expected ofLua(String verdict) {
            return switch (verdict) {
                case "accept" -> ACCEPT;
                case "reject" -> REJECT;
                default -> NONE;
            };
        }

        boolean admits(boolean accepted) {
            return switch (this) {
                case ACCEPT -> accepted;
                case REJECT -> !accepted;
                case EITHER -> true;
                case NONE -> false;
            };
        }
    }

    enum Status {
        MATCHED("matched"),
        OUTSIDE_ALLOW_LIST("rejected: algorithm or key outside the allow-list"),
        ENCRYPTED("rejected: JWE"),
        STRICTER("rejected: stricter than the vector"),
        LISTED("listed, see reason"),
        MISMATCHED("MISMATCHED");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /** The gateway's verdict: accepted, rejected with a reason, or not run (the case has no token). */
    record Verdict(boolean run, boolean accepted, RejectionReason reason) {

        static final Verdict ACCEPTED = new Verdict(true, true, null);
        static final Verdict NOT_RUN = new Verdict(false, false, null);

        static Verdict rejected(RejectionReason reason) {
            return new Verdict(true, false, reason);
        }

        String label() {
            if (!run) {
                return "not run";
            }
            return accepted ? "accepted" : "rejected";
        }
    }

    record Outcome(String source, String layer, String label, Expected expected, Verdict verdict, Status status,
            String note) {
    }

    private static Status judge(Expected expected, Verdict verdict, boolean outsideAllowList, String listedReason,
            String stricterReason) {
        if (outsideAllowList && verdict.accepted()) {
            return Status.MISMATCHED;
        }
        if (listedReason != null) {
            return Status.LISTED;
        }
        if (outsideAllowList) {
            return Status.OUTSIDE_ALLOW_LIST;
        }
        if (stricterReason != null) {
            return verdict.accepted() ? Status.MISMATCHED : Status.STRICTER;
        }
        return expected.admits(verdict.accepted()) ? Status.MATCHED : Status.MISMATCHED;
    }

    private static void record(Outcome outcome) {
        OUTCOMES.add(outcome);
        assertThat(outcome.status())
                .as("%s / %s: expected %s, gateway %s (%s)", outcome.source(), outcome.label(), outcome.expected().label,
                        outcome.verdict().label(), outcome.verdict().reason())
                .isNotEqualTo(Status.MISMATCHED);
    }

    @FunctionalInterface
    private interface Check {
        void run();
    }

    private static Verdict verdictOf(Check check) {
        try {
            check.run();
            return Verdict.ACCEPTED;
        } catch (RejectedTokenException e) {
            return Verdict.rejected(e.reason());
        }
    }

    private static Verdict signatureVerdict(String token, JwksKeySource keySource, JwsSignatureVerifier verifier) {
        return verdictOf(() -> {
            List<JsonWebKey> keys = keySource.keysFor(unverifiedKeyId(token)).await().atMost(TIMEOUT);
            verifier.verify(token, keys);
        });
    }

    private static Verdict screenVerdict(String token, List<String> allowList) {
        return verdictOf(() -> new TokenScreen(Set.copyOf(allowList), MAX_TOKEN_LENGTH).check(token));
    }

    // --- helpers ---

    /** Returns true for an algorithm outside the allow-list. An unreadable header has none and is judged on its own. */
    private static boolean isOutsideAllowList(String algorithm) {
        return algorithm != null && !GATEWAY_ALGORITHMS.contains(algorithm);
    }

    private static JwksKeySource newKeySource(String path) {
        return new JwksKeySource(client, server.url(path), Duration.ofMinutes(1), Duration.ofHours(1), TIMEOUT,
                CORPUS_CLOCK);
    }

    private static List<JsonObject> groupKeys(JsonObject group) {
        JsonObject key = group.containsKey("public") ? group.getJsonObject("public") : group.getJsonObject("private");
        if (!key.containsKey("keys")) {
            return List.of(key);
        }
        List<JsonObject> keys = new ArrayList<>();
        key.getJsonArray("keys").forEach(item -> keys.add((JsonObject) item));
        return keys;
    }

    private static List<String> keyIds(List<JsonObject> keys) {
        return keys.stream().map(key -> key.getString("kty") + ":" + key.getString("kid")).toList();
    }

    /** Removes the private members of an asymmetric JWK (RFC 7518 section 6); oct keys stay whole. */
    private static JsonObject publicPart(JsonObject key) {
        JsonObject copy = key.copy();
        if (!"oct".equals(copy.getValue("kty"))) {
            for (String member : List.of("d", "p", "q", "dp", "dq", "qi", "oth")) {
                copy.remove(member);
            }
        }
        return copy;
    }

    private static Set<String> signingAlgorithms(Object signing) {
        Set<String> algorithms = new LinkedHashSet<>();
        if (signing instanceof JsonArray several) {
            several.forEach(item -> algorithms.addAll(signingAlgorithms(item)));
        } else if (signing instanceof JsonObject one) {
            for (String part : List.of("protected", "unprotected")) {
                if (one.getValue(part) instanceof JsonObject header && header.getValue("alg") instanceof String alg) {
                    algorithms.add(alg);
                }
            }
        }
        return algorithms;
    }

    private static JsonObject unverifiedHeader(String token) {
        return decodeSegment(token, 0);
    }

    private static JsonObject unverifiedPayload(String token) {
        return decodeSegment(token, 1);
    }

    private static String unverifiedAlgorithm(String token) {
        JsonObject header = unverifiedHeader(token);
        return header != null && header.getValue("alg") instanceof String alg ? alg : null;
    }

    private static String unverifiedKeyId(String token) {
        JsonObject header = unverifiedHeader(token);
        return header != null && header.getValue("kid") instanceof String kid ? kid : null;
    }

    private static JsonObject decodeSegment(String token, int index) {
        String[] parts = token.split("\\.", -1);
        if (parts.length <= index) {
            return null;
        }
        try {
            return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static JsonObject cookbook(String file) {
        return load("/jwt/rfc-cookbook/" + file);
    }

    private static JsonObject load(String resource) {
        return new JsonObject(read(resource));
    }

    private static JsonArray loadArray(String resource) {
        return new JsonArray(read(resource));
    }

    private static String read(String resource) {
        try (InputStream in = JwtCorpusTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Test resource " + resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> defaultAllowedAlgorithms() {
        try {
            WithDefault defaults = GatewayConfig.Authentication.class.getMethod("allowedAlgorithms")
                    .getAnnotation(WithDefault.class);
            return List.of(defaults.value().split(","));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
