package io.portcullis.authentication;

/** A bearer token failed a check of the gateway's own; the message is the reason label only. */
public final class RejectedTokenException extends RuntimeException {

    private final RejectionReason reason;

    public RejectedTokenException(RejectionReason reason) {
        super(reason.label(), null, false, false);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
