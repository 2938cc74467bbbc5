package io.portcullis.policy;

/** OPA's response is not a decision of the version this gateway accepts, for the reason in the message. */
final class InvalidDecisionException extends RuntimeException {

    InvalidDecisionException(String reason) {
        super(reason, null, false, false);
    }
}
