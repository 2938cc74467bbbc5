package io.portcullis.policy;

/** OPA returned no usable response because of a timeout, a connection failure or an error status, named in the message. */
final class OpaUnavailableException extends RuntimeException {

    OpaUnavailableException(String reason) {
        super(reason, null, false, false);
    }
}
