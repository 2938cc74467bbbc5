package io.portcullis.authentication;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Structural checks on a bearer token that run before any key lookup or signature check.
 * They reject, cheaply and with a stable reason, what the OIDC layer should never see:
 * encrypted tokens, algorithms outside the allow-list ({@code none} and HMAC included),
 * keys embedded in or referenced from the header, critical extensions, oversized and
 * malformed tokens.
 */
public final class TokenScreen {

    /** Header parameters that carry or point to a verification key chosen by the token's author. */
    private static final List<String> KEY_CARRYING_HEADERS = List.of("jwk", "jku", "x5u", "x5c");

    private final Set<String> allowedAlgorithms;
    private final int maxTokenLength;

    public TokenScreen(Set<String> allowedAlgorithms, int maxTokenLength) {
        this.allowedAlgorithms = Set.copyOf(allowedAlgorithms);
        this.maxTokenLength = maxTokenLength;
    }

    /**
     * Checks a compact-serialized token.
     *
     * @return the decoded protected header, for logging its {@code kid} and {@code alg}
     * @throws RejectedTokenException with the reason when the token fails a check
     */
    public JsonObject check(String token) {
        if (token == null || token.isEmpty()) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        if (token.length() > maxTokenLength) {
            throw new RejectedTokenException(RejectionReason.TOO_LARGE);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 5) {
            throw new RejectedTokenException(RejectionReason.ENCRYPTED);
        }
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        JsonObject header = decodeJsonSegment(parts[0]);
        decodeJsonSegment(parts[1]);
        checkHeader(header);
        if (parts[2].isEmpty() || !isBase64Url(parts[2])) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        return header;
    }

    private void checkHeader(JsonObject header) {
        Object alg = header.getValue("alg");
        if (!(alg instanceof String algorithm)) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        if (header.containsKey("enc")) {
            throw new RejectedTokenException(RejectionReason.ENCRYPTED);
        }
        if (!allowedAlgorithms.contains(algorithm)) {
            throw new RejectedTokenException(RejectionReason.ALGORITHM_NOT_ALLOWED);
        }
        for (String name : KEY_CARRYING_HEADERS) {
            if (header.containsKey(name)) {
                throw new RejectedTokenException(RejectionReason.EMBEDDED_KEY);
            }
        }
        // RFC 7515 section 4.1.11: a recipient must reject a token whose critical
        // extensions it does not understand, and this gateway implements none (b64 included).
        if (header.containsKey("crit")) {
            throw new RejectedTokenException(RejectionReason.CRITICAL_HEADER);
        }
        Object kid = header.getValue("kid");
        if (kid != null && !(kid instanceof String)) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
    }

    private static JsonObject decodeJsonSegment(String segment) {
        if (!isBase64Url(segment)) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(segment);
            return new JsonObject(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            throw new RejectedTokenException(RejectionReason.MALFORMED);
        }
    }

    /** Accepts the unpadded base64url alphabet only, as RFC 7515 requires for compact JWS. */
    private static boolean isBase64Url(String segment) {
        if (segment.length() % 4 == 1) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            boolean valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!valid) {
                return false;
            }
        }
        return true;
    }
}
