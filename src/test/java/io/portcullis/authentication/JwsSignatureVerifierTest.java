package io.portcullis.authentication;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.OkpJwkGenerator;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.EcdsaUsingShaAlgorithm;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key selection, key restrictions, algorithm allow-list and signature form, one labelled case each. */
class JwsSignatureVerifierTest {

    private static final List<String> ALLOWED = List.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    private static final String PAYLOAD = "{\"iss\":\"https://issuer.example\",\"sub\":\"erin\"}";

    private static final PublicJsonWebKey RSA = generated(() -> RsaJwkGenerator.generateJwk(2048), "rsa-1");
    private static final PublicJsonWebKey RSA_OTHER = generated(() -> RsaJwkGenerator.generateJwk(2048), "rsa-2");
    private static final PublicJsonWebKey RSA_1024 = generated(() -> RsaJwkGenerator.generateJwk(1024), "rsa-small");
    private static final PublicJsonWebKey EC_P256 = generated(() -> EcJwkGenerator.generateJwk(EllipticCurves.P256), "ec-256");
    private static final PublicJsonWebKey EC_P384 = generated(() -> EcJwkGenerator.generateJwk(EllipticCurves.P384), "ec-384");
    private static final PublicJsonWebKey ED25519 =
            generated(() -> OkpJwkGenerator.generateJwk(OctetKeyPairJsonWebKey.SUBTYPE_ED25519), "ed-1");

    private final JwsSignatureVerifier verifier = new JwsSignatureVerifier(ALLOWED);

    /** A token, the key set it is verified against, and the expected reason (null: accepted). */
    private record Case(String label, String token, List<JsonWebKey> keys, RejectionReason expected) {
    }

    @Test
    void casesAreJudgedAsExpected() {
        for (Case testCase : cases()) {
            assertThat(reasonFor(verifier, testCase.token(), testCase.keys()))
                    .as(testCase.label())
                    .isEqualTo(testCase.expected());
        }
    }

    private static List<Case> cases() {
        String rs256 = sign(RSA, "RS256", "rsa-1", PAYLOAD);
        String es256 = sign(EC_P256, "ES256", "ec-256", PAYLOAD);
        List<Case> cases = new ArrayList<>();
        // Accepted.
        cases.add(new Case("RS256 found by kid", rs256, keys(RSA_OTHER, RSA), null));
        cases.add(new Case("PS384 without kid tries each RSA key", sign(RSA, "PS384", null, PAYLOAD),
                keys(RSA_OTHER, EC_P256, RSA), null));
        cases.add(new Case("ES256 without kid among other key types", sign(EC_P256, "ES256", null, PAYLOAD),
                keys(RSA, ED25519, EC_P256), null));
        cases.add(new Case("ES384 on P-384", sign(EC_P384, "ES384", "ec-384", PAYLOAD), keys(EC_P384), null));
        cases.add(new Case("EdDSA on Ed25519", sign(ED25519, "EdDSA", "ed-1", PAYLOAD), keys(ED25519), null));
        cases.add(new Case("empty payload", sign(RSA, "RS256", "rsa-1", ""), keys(RSA), null));
        cases.add(new Case("key with matching alg, use and key_ops", rs256,
                keys(restricted(RSA, Map.of("alg", "RS256", "use", "sig", "key_ops", List.of("verify")))), null));

        // Key selection and the key's own restrictions.
        cases.add(new Case("unknown kid", rs256, keys(RSA_OTHER), RejectionReason.UNKNOWN_KEY));
        cases.add(new Case("no kid and no key of the type", sign(ED25519, "EdDSA", null, PAYLOAD), keys(RSA),
                RejectionReason.UNKNOWN_KEY));
        cases.add(new Case("no keys at all", rs256, List.of(), RejectionReason.UNKNOWN_KEY));
        cases.add(new Case("key use enc", rs256, keys(restricted(RSA, Map.of("use", "enc"))),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("key_ops without verify", rs256, keys(restricted(RSA, Map.of("key_ops", List.of("sign")))),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("key alg differs from the header", rs256, keys(restricted(RSA, Map.of("alg", "RS384"))),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("ES256 kid names a P-384 key", sign(EC_P256, "ES256", "ec-384", PAYLOAD), keys(EC_P384),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("ES256 kid names an RSA key", sign(EC_P256, "ES256", "rsa-1", PAYLOAD), keys(RSA),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("RS256 kid names an EC key", sign(RSA, "RS256", "ec-256", PAYLOAD), keys(EC_P256),
                RejectionReason.UNUSABLE_KEY));
        cases.add(new Case("RSA key below 2048 bits", sign(RSA_1024, "RS256", "rsa-small", PAYLOAD), keys(RSA_1024),
                RejectionReason.UNUSABLE_KEY));

        // Algorithms outside the allow-list.
        cases.add(new Case("HS256 keyed with the RSA public key", hs256WithPublicKey(RSA), keys(RSA),
                RejectionReason.ALGORITHM_NOT_ALLOWED));
        cases.add(new Case("alg none", unsigned("{\"alg\":\"none\"}") + ".", keys(RSA),
                RejectionReason.ALGORITHM_NOT_ALLOWED));
        cases.add(new Case("alg none with a signature", unsigned("{\"alg\":\"none\"}") + ".c2ln", keys(RSA),
                RejectionReason.ALGORITHM_NOT_ALLOWED));

        // Signatures that do not verify.
        cases.add(new Case("ECDSA signature in DER form", derSigned(es256), keys(EC_P256),
                RejectionReason.INVALID_SIGNATURE));
        cases.add(new Case("tampered payload", replacePart(rs256, 1, encode("{\"sub\":\"mallory\"}")), keys(RSA),
                RejectionReason.INVALID_SIGNATURE));
        cases.add(new Case("signed by another key under the same kid", sign(RSA_OTHER, "RS256", "rsa-1", PAYLOAD),
                keys(RSA), RejectionReason.INVALID_SIGNATURE));
        cases.add(new Case("RSA signature with a leading zero byte", withSignatureBytes(rs256, 0, 1), keys(RSA),
                RejectionReason.INVALID_SIGNATURE));
        cases.add(new Case("ECDSA signature one byte short", withSignatureBytes(es256, -1, 0), keys(EC_P256),
                RejectionReason.INVALID_SIGNATURE));

        // Header extensions and encoding.
        cases.add(new Case("crit header", sign(RSA, "RS256", "rsa-1", PAYLOAD, Map.of("crit", List.of("exp"), "exp", 1)),
                keys(RSA), RejectionReason.CRITICAL_HEADER));
        cases.add(new Case("b64 header without crit", sign(RSA, "RS256", "rsa-1", PAYLOAD, Map.of("b64", true)),
                keys(RSA), RejectionReason.CRITICAL_HEADER));
        cases.add(new Case("padded signature", rs256 + "==", keys(RSA), RejectionReason.MALFORMED));
        cases.add(new Case("non-canonical last signature character", withLastCharacterBitFlipped(es256),
                keys(EC_P256), RejectionReason.MALFORMED));
        cases.add(new Case("standard base64 alphabet", rs256.replace('-', '+').replace('_', '/') + "+",
                keys(RSA), RejectionReason.MALFORMED));
        cases.add(new Case("duplicate alg member", replacePart(rs256, 0,
                encode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"RS256\"}")), keys(RSA), RejectionReason.MALFORMED));
        cases.add(new Case("header is a JSON array", replacePart(rs256, 0, encode("[\"RS256\"]")), keys(RSA),
                RejectionReason.MALFORMED));
        cases.add(new Case("kid is a number", replacePart(rs256, 0, encode("{\"alg\":\"RS256\",\"kid\":7}")), keys(RSA),
                RejectionReason.MALFORMED));
        cases.add(new Case("missing signature", rs256.substring(0, rs256.lastIndexOf('.') + 1), keys(RSA),
                RejectionReason.MALFORMED));
        cases.add(new Case("extra segment", rs256 + ".x", keys(RSA), RejectionReason.MALFORMED));
        cases.add(new Case("five segments", rs256 + ".a.b", keys(RSA), RejectionReason.ENCRYPTED));
        return cases;
    }

    @Test
    void narrowerAllowListRejectsOtherAlgorithms() {
        JwsSignatureVerifier rsaOnly = new JwsSignatureVerifier(List.of("RS256"));

        assertThat(reasonFor(rsaOnly, sign(EC_P256, "ES256", "ec-256", PAYLOAD), keys(EC_P256)))
                .isEqualTo(RejectionReason.ALGORITHM_NOT_ALLOWED);
        assertThat(reasonFor(rsaOnly, sign(RSA, "RS256", "rsa-1", PAYLOAD), keys(RSA))).isNull();
    }

    @Test
    void allowListRejectsHmacAndNone() {
        for (String algorithm : List.of("HS256", "HS384", "HS512", "none", "RSA-OAEP", "ES256K", "Ed25519")) {
            assertThatThrownBy(() -> new JwsSignatureVerifier(List.of("RS256", algorithm)))
                    .as(algorithm)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("portcullis.authentication.allowed-algorithms");
        }
    }

    @Test
    void verifiedPayloadAndHeaderAreReturned() {
        JwsSignatureVerifier.VerifiedJws verified = verifier.verify(sign(RSA, "PS256", "rsa-1", PAYLOAD), keys(RSA));

        assertThat(verified.algorithm()).isEqualTo("PS256");
        assertThat(verified.keyId()).isEqualTo("rsa-1");
        assertThat(new String(verified.payload(), StandardCharsets.UTF_8)).isEqualTo(PAYLOAD);
    }

    private static RejectionReason reasonFor(JwsSignatureVerifier verifier, String token, List<JsonWebKey> keys) {
        try {
            verifier.verify(token, keys);
            return null;
        } catch (RejectedTokenException e) {
            return e.reason();
        }
    }

    private static PublicJsonWebKey generated(KeyGenerator generator, String keyId) {
        try {
            PublicJsonWebKey key = generator.generate();
            key.setKeyId(keyId);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface KeyGenerator {
        PublicJsonWebKey generate() throws JoseException;
    }

    /** Returns the public parts of keys, as a JWKS would deliver them. */
    private static List<JsonWebKey> keys(PublicJsonWebKey... keys) {
        List<JsonWebKey> published = new ArrayList<>();
        for (PublicJsonWebKey key : keys) {
            published.add(publicOnly(key, Map.of()));
        }
        return published;
    }

    private static PublicJsonWebKey restricted(PublicJsonWebKey key, Map<String, Object> parameters) {
        return publicOnly(key, parameters);
    }

    private static PublicJsonWebKey publicOnly(PublicJsonWebKey key, Map<String, Object> extra) {
        try {
            Map<String, Object> params = new java.util.HashMap<>(key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            params.putAll(extra);
            return PublicJsonWebKey.Factory.newPublicJwk(params);
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(PublicJsonWebKey key, String algorithm, String keyId, String payload) {
        return sign(key, algorithm, keyId, payload, Map.of());
    }

    private static String sign(PublicJsonWebKey key, String algorithm, String keyId, String payload,
            Map<String, Object> header) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(payload);
            jws.setAlgorithmHeaderValue(algorithm);
            if (keyId != null) {
                jws.setKeyIdHeaderValue(keyId);
            }
            header.forEach((name, value) -> jws.getHeaders().setObjectHeaderValue(name, value));
            jws.setKey(key.getPrivateKey());
            jws.setDoKeyValidation(false);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hs256WithPublicKey(PublicJsonWebKey key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(PAYLOAD);
            jws.setAlgorithmHeaderValue("HS256");
            jws.setKeyIdHeaderValue(key.getKeyId());
            jws.setKey(new HmacKey(key.getPublicKey().getEncoded()));
            jws.setDoKeyValidation(false);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String derSigned(String token) {
        try {
            String[] parts = token.split("\\.");
            byte[] der = EcdsaUsingShaAlgorithm.convertConcatenatedToDer(Base64.getUrlDecoder().decode(parts[2]));
            return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(der);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops {@code drop} trailing signature bytes (when negative) or prepends {@code zeros} zero bytes. */
    private static String withSignatureBytes(String token, int drop, int zeros) {
        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        byte[] changed = new byte[signature.length + drop + zeros];
        System.arraycopy(signature, 0, changed, zeros, signature.length + drop);
        return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(changed);
    }

    /** Sets an unused low bit of the last base64url character, which decoders commonly ignore. */
    private static String withLastCharacterBitFlipped(String token) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        char flipped = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        return token.substring(0, token.length() - 1) + flipped;
    }

    private static String replacePart(String token, int index, String replacement) {
        String[] parts = token.split("\\.", -1);
        parts[index] = replacement;
        return String.join(".", parts);
    }

    private static String unsigned(String header) {
        return encode(header) + "." + encode(PAYLOAD);
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
