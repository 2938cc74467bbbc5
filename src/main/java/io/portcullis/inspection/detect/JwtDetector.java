package io.portcullis.inspection.detect;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds JSON Web Tokens in compact serialization: header, payload and signature in base64url,
 * whose first segment decodes to a JSON object with an {@code alg} member (RFC 7515 section 4.1.1).
 * The signature segment may be empty, as in unsecured tokens ({@code alg: none}), or missing.
 */
public final class JwtDetector implements OpenTailDetector {

    private static final Tails.CharClass TOKEN_CHARS = c -> Tails.isAsciiAlphanumeric(c) || c == '_' || c == '-' || c == '.';

    static final double CONFIDENCE = 0.95;

    /**
     * Header, payload, and a signature that may be empty or, as in pasted tokens that lost it,
     * missing. A JSON object starts with '{', so its base64url form starts with "ey". Without a
     * signature, the payload must be a JSON object too.
     */
    private static final Pattern CANDIDATE = Pattern.compile(
            "(?<![0-9A-Za-z_.-])(ey[0-9A-Za-z_-]{8,}+)\\.(?:[0-9A-Za-z_-]{2,}+\\.[0-9A-Za-z_-]*+|ey[0-9A-Za-z_-]{2,}+)(?![0-9A-Za-z_.-])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = CANDIDATE.matcher(text);
        while (matcher.find()) {
            if (hasAlgorithmHeader(matcher.group(1))) {
                findings.add(new Finding(EntityTypes.JWT, matcher.start(), matcher.end(), CONFIDENCE));
            }
        }
        return findings;
    }

    /** A token has no maximum length, so the whole trailing run of token characters stays open. */
    @Override
    public int openFrom(String text) {
        return Tails.runStart(text, TOKEN_CHARS);
    }

    static boolean hasAlgorithmHeader(String segment) {
        try {
            String json = new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
            return new JsonObject(json).getValue("alg") instanceof String;
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            return false;
        }
    }
}
