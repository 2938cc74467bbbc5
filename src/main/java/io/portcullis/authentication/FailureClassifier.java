package io.portcullis.authentication;

import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Turns an OIDC verification failure into a {@link RejectionReason}. It reads error codes and
 * exception types, never messages, because jose4j messages quote the token's claims.
 */
final class FailureClassifier {

    private FailureClassifier() {
    }

    static RejectionReason classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RejectedTokenException rejected) {
                return rejected.reason();
            }
            if (cause instanceof InvalidJwtException invalid) {
                return fromJose(invalid);
            }
            if (cause instanceof UnresolvableKeyException) {
                return RejectionReason.UNKNOWN_KEY;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return RejectionReason.FAILED;
    }

    private static RejectionReason fromJose(InvalidJwtException invalid) {
        if (invalid.hasExpired()) {
            return RejectionReason.EXPIRED;
        }
        if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID) || invalid.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return RejectionReason.NOT_YET_VALID;
        }
        if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return RejectionReason.INVALID_AUDIENCE;
        }
        if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return RejectionReason.INVALID_ISSUER;
        }
        if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || invalid.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return RejectionReason.INVALID_SIGNATURE;
        }
        for (Throwable cause = invalid.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvableKeyException) {
                return RejectionReason.UNKNOWN_KEY;
            }
        }
        return RejectionReason.INVALID_CLAIMS;
    }
}
