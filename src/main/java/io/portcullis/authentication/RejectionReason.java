package io.portcullis.authentication;

/** Why a bearer token was rejected, as logged and counted; never sent to the caller. */
public enum RejectionReason {
    MISSING("missing"),
    MALFORMED("malformed"),
    TOO_LARGE("too_large"),
    ENCRYPTED("encrypted_token"),
    ALGORITHM_NOT_ALLOWED("algorithm_not_allowed"),
    EMBEDDED_KEY("embedded_key"),
    CRITICAL_HEADER("critical_header"),
    UNKNOWN_KEY("unknown_key"),
    INVALID_SIGNATURE("invalid_signature"),
    EXPIRED("expired"),
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

    /** The snake_case label used in logs and the metric tag. */
    public String label() {
        return label;
    }
}
