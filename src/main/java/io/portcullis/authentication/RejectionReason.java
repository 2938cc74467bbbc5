package io.portcullis.authentication;

/** Reason for rejecting a bearer token, as logged and counted. It is never sent to the caller. */
public enum RejectionReason {
    MISSING("missing"),
    MALFORMED("malformed"),
    TOO_LARGE("too_large"),
    ENCRYPTED("encrypted_token"),
    ALGORITHM_NOT_ALLOWED("algorithm_not_allowed"),
    EMBEDDED_KEY("embedded_key"),
    CRITICAL_HEADER("critical_header"),
    UNKNOWN_KEY("unknown_key"),
    /** The token's key exists but does not fit its algorithm, is not for verification, or is too weak. */
    UNUSABLE_KEY("unusable_key"),
    /** The issuer's discovery document or JWKS has never been fetched successfully. */
    KEYS_UNAVAILABLE("keys_unavailable"),
    INVALID_SIGNATURE("invalid_signature"),
    EXPIRED("expired"),
    MISSING_EXPIRATION("missing_expiration"),
    NOT_YET_VALID("not_yet_valid"),
    INVALID_ISSUER("invalid_issuer"),
    INVALID_AUDIENCE("invalid_audience"),
    INVALID_CLAIMS("invalid_claims"),
    UNTRUSTED_ISSUER("untrusted_issuer"),
    FAILED("failed");

    private final String label;

    RejectionReason(String label) {
        this.label = label;
    }

    /** Returns the snake_case label used in logs and the metric tag. */
    public String label() {
        return label;
    }
}
