package io.portcullis.authentication;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies the signature of a compact JWS against the public keys of its issuer.
 *
 * <p>Only asymmetric algorithms can be allowed: HMAC would let anyone who has the issuer's
 * public key forge tokens, and {@code none} has no signature at all. Keys are chosen by the
 * header's {@code kid}, or, without one, by key type. A key is used only if its type and curve
 * fit the algorithm, its own {@code alg} (when present) equals the header's, its {@code use}
 * (when present) is {@code sig}, its {@code key_ops} (when present) contain {@code verify}, and
 * an RSA key has at least 2048 bits, an odd exponent above 1 and no ROCA structure
 * ({@link RocaFingerprint}). Signatures must have the exact length the algorithm and key
 * produce, so ECDSA accepts only the JOSE form (R || S), never DER. Keys embedded in or
 * referenced from the header ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u}) are never used.
 *
 * <p>jose4j does the cryptography, constrained to the same allow-list.
 */
public final class JwsSignatureVerifier {

    /** The algorithms this verifier implements (RFC 7518 section 3.1 and RFC 8037 section 3.1). */
    public static final Set<String> SUPPORTED_ALGORITHMS = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

    /** ECDSA curve and JOSE signature length in bytes (RFC 7518 section 3.4). */
    private static final Map<String, EcdsaShape> ECDSA = Map.of(
            "ES256", new EcdsaShape("P-256", 64),
            "ES384", new EcdsaShape("P-384", 96),
            "ES512", new EcdsaShape("P-521", 132));

    /** EdDSA curves and their signature lengths in bytes (RFC 8032 sections 5.1.6 and 5.2.6). */
    private static final Map<String, Integer> EDDSA_SIGNATURE_LENGTHS = Map.of(
            OctetKeyPairJsonWebKey.SUBTYPE_ED25519, 64,
            OctetKeyPairJsonWebKey.SUBTYPE_ED448, 114);

    private static final int MIN_RSA_MODULUS_BITS = 2048;

    private final Set<String> allowedAlgorithms;
    private final AlgorithmConstraints constraints;

    /**
     * @param allowedAlgorithms a subset of {@link #SUPPORTED_ALGORITHMS}
     * @throws IllegalArgumentException when it names any other algorithm
     */
    public JwsSignatureVerifier(Collection<String> allowedAlgorithms) {
        for (String algorithm : allowedAlgorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("Signature algorithm " + algorithm + " cannot be allowed: the"
                        + " gateway verifies only " + new TreeSet<>(SUPPORTED_ALGORITHMS) + "; remove it from"
                        + " portcullis.authentication.allowed-algorithms");
            }
        }
        this.allowedAlgorithms = Set.copyOf(allowedAlgorithms);
        this.constraints = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                this.allowedAlgorithms.toArray(String[]::new));
    }

    /**
     * Verifies a compact JWS.
     *
     * @param keys the issuer's public keys
     * @return the verified algorithm, key id and payload
     * @throws RejectedTokenException with the reason when the token is malformed, names a key that
     *                                is missing or unusable, or no usable key verifies the signature
     */
    public VerifiedJws verify(String compact, List<JsonWebKey> keys) {
        String[] parts = splitCompact(compact);
        JsonWebSignature parsed = parse(compact);
        String algorithm = checkAlgorithm(parsed);
        String keyId = checkHeader(parsed);
        if (parts[2].isEmpty()) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }

        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        for (JsonWebKey key : selectKeys(keys, algorithm, keyId)) {
            if (hasExpectedLength(signature, algorithm, key) && verifies(compact, key)) {
                return new VerifiedJws(algorithm, keyId, Base64.getUrlDecoder().decode(parts[1]));
            }
        }
        throw new RejectedTokenException(RejectionReason.INVALID_SIGNATURE);
    }

    private String checkAlgorithm(JsonWebSignature parsed) {
        if (!(parsed.getHeaders().getObjectHeaderValue("alg") instanceof String algorithm)) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        if (!allowedAlgorithms.contains(algorithm)) {
            throw new RejectedTokenException(RejectionReason.ALGORITHM_NOT_ALLOWED);
        }
        return algorithm;
    }

    /** Rejects extension headers and returns the {@code kid}, or null when there is none. */
    private static String checkHeader(JsonWebSignature parsed) {
        // RFC 7515 section 4.1.11: this verifier understands no extension, and b64 (RFC 7797)
        // changes what is signed, so both are rejected rather than ignored.
        if (parsed.getHeaders().getObjectHeaderValue("crit") != null
                || parsed.getHeaders().getObjectHeaderValue("b64") != null) {
            throw new RejectedTokenException(RejectionReason.CRITICAL_HEADER);
        }
        Object kid = parsed.getHeaders().getObjectHeaderValue("kid");
        if (kid != null && !(kid instanceof String)) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        return (String) kid;
    }

    /**
     * Splits into header, payload and signature, each canonical unpadded base64url. The payload
     * may be empty (RFC 7515 allows it); an empty signature is rejected once the algorithm is known.
     */
    private static String[] splitCompact(String compact) {
        if (compact == null) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        String[] parts = compact.split("\\.", -1);
        if (parts.length == 5 && Base64Url.isCanonical(parts[0])) {
            throw new RejectedTokenException(RejectionReason.ENCRYPTED);
        }
        if (parts.length != 3 || parts[0].isEmpty()) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        for (String part : parts) {
            if (!Base64Url.isCanonical(part)) {
                throw new RejectedTokenException(RejectionReason.MALFORMED);
            }
        }
        return parts;
    }

    private JsonWebSignature parse(String compact) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(constraints);
            jws.setCompactSerialization(compact);
            return jws;
        } catch (JoseException | RuntimeException e) {
            // jose4j rejects header JSON that is invalid, not an object, or repeats a member name.
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
    }

    /**
     * Picks the candidate keys: those with the token's key id, or without one every key whose
     * type fits the algorithm; then keeps the usable ones.
     */
    private static List<JsonWebKey> selectKeys(List<JsonWebKey> keys, String algorithm, String keyId) {
        List<JsonWebKey> named = new ArrayList<>();
        for (JsonWebKey key : keys) {
            boolean matches = keyId == null ? fitsAlgorithm(key, algorithm) : keyId.equals(key.getKeyId());
            if (matches) {
                named.add(key);
            }
        }
        if (named.isEmpty()) {
            throw new RejectedTokenException(RejectionReason.UNKNOWN_KEY);
        }
        List<JsonWebKey> usable = new ArrayList<>();
        for (JsonWebKey key : named) {
            if (fitsAlgorithm(key, algorithm) && isForVerification(key, algorithm) && isStrongEnough(key)) {
                usable.add(key);
            }
        }
        if (usable.isEmpty()) {
            throw new RejectedTokenException(RejectionReason.UNUSABLE_KEY);
        }
        return usable;
    }

    private static boolean fitsAlgorithm(JsonWebKey key, String algorithm) {
        if (algorithm.startsWith("RS") || algorithm.startsWith("PS")) {
            return key instanceof RsaJsonWebKey;
        }
        EcdsaShape ecdsa = ECDSA.get(algorithm);
        if (ecdsa != null) {
            return key instanceof EllipticCurveJsonWebKey ec && ecdsa.curve().equals(ec.getCurveName());
        }
        return "EdDSA".equals(algorithm) && key instanceof OctetKeyPairJsonWebKey okp
                && EDDSA_SIGNATURE_LENGTHS.containsKey(okp.getSubtype());
    }

    /** Applies the key's own restrictions (RFC 7517 sections 4.2 to 4.4). */
    private static boolean isForVerification(JsonWebKey key, String algorithm) {
        if (key.getUse() != null && !"sig".equals(key.getUse())) {
            return false;
        }
        if (key.getKeyOps() != null && !key.getKeyOps().contains("verify")) {
            return false;
        }
        return key.getAlgorithm() == null || algorithm.equals(key.getAlgorithm());
    }

    private static boolean isStrongEnough(JsonWebKey key) {
        if (!(key instanceof RsaJsonWebKey rsa)) {
            return true;
        }
        RSAPublicKey publicKey = rsa.getRsaPublicKey();
        return publicKey.getModulus().bitLength() >= MIN_RSA_MODULUS_BITS
                && publicKey.getPublicExponent().testBit(0)
                && publicKey.getPublicExponent().bitLength() > 1
                && !RocaFingerprint.matches(publicKey.getModulus());
    }

    /** Rejects signatures of the wrong length before any cryptography (RFC 7518 sections 3.3 to 3.5, RFC 8037 section 3.1). */
    private static boolean hasExpectedLength(byte[] signature, String algorithm, JsonWebKey key) {
        if (key instanceof RsaJsonWebKey rsa) {
            return signature.length == (rsa.getRsaPublicKey().getModulus().bitLength() + 7) / 8;
        }
        if (key instanceof OctetKeyPairJsonWebKey okp) {
            return signature.length == EDDSA_SIGNATURE_LENGTHS.get(okp.getSubtype());
        }
        return signature.length == ECDSA.get(algorithm).signatureLength();
    }

    private boolean verifies(String compact, JsonWebKey key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(constraints);
            jws.setCompactSerialization(compact);
            jws.setKey(key.getPublicKey());
            return jws.verifySignature();
        } catch (JoseException | RuntimeException e) {
            // jose4j throws for keys it will not use and for signatures the provider cannot decode.
            return false;
        }
    }

    /**
     * A JWS whose signature verified.
     *
     * @param algorithm the header's {@code alg}
     * @param keyId     the header's {@code kid}, or null
     * @param payload   the decoded payload, which may be empty
     */
    public record VerifiedJws(String algorithm, String keyId, byte[] payload) {
    }

    private record EcdsaShape(String curve, int signatureLength) {
    }
}
