package io.portcullis.authentication;

import java.util.Base64;

/** Strict checks on the unpadded base64url segments of a compact JWS (RFC 7515 section 2). */
final class Base64Url {

    private Base64Url() {
    }

    /**
     * Returns true when the segment uses only the base64url alphabet, has no padding, and is the
     * one encoding of its bytes. The unused low bits of the last character must be zero, so a
     * signature cannot be altered without changing what it decodes to. An empty segment is canonical.
     */
    static boolean isCanonical(String segment) {
        if (segment.length() % 4 == 1) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!isAlphabet(segment.charAt(i))) {
                return false;
            }
        }
        byte[] decoded = Base64.getUrlDecoder().decode(segment);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(segment);
    }

    private static boolean isAlphabet(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
