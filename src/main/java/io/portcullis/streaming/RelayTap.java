package io.portcullis.streaming;

import io.portcullis.error.ErrorCode;

/**
 * Observes what a {@link StreamRelay} sends to the caller, for the session recording. Both
 * methods run on the relay's event loop and must not block.
 */
public interface RelayTap {

    /** A tap that observes nothing. */
    RelayTap NONE = new RelayTap() {
        @Override
        public void onData(String data, int bytes) {
        }

        @Override
        public void onEnd(RelayOutcome outcome, ErrorCode error) {
        }
    };

    /**
     * Receives the data of an event just before it is written to the caller: JSON payloads as
     * the caller gets them and {@code [DONE]}, but not comments.
     *
     * @param bytes the size of the whole event as written, in bytes
     */
    void onData(String data, int bytes);

    /**
     * Receives the end of the relay, once.
     *
     * @param error the code of the error event that ended the caller's stream, or null when the
     *              stream ended without one
     */
    void onEnd(RelayOutcome outcome, ErrorCode error);

    /** How a relayed stream ended. */
    enum RelayOutcome {
        /** The upstream sent {@code [DONE]}. */
        COMPLETED,
        /** The upstream sent an error event, which the caller received. */
        UPSTREAM_ERROR_EVENT,
        /** The gateway ended the stream with its own error event. */
        FAILED,
        /** The caller closed the connection first. */
        CALLER_CLOSED
    }
}
