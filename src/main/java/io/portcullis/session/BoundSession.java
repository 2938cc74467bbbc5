package io.portcullis.session;

/**
 * The session a request belongs to, after its owner was checked.
 *
 * @param id   the session id, the caller's {@code X-Session-Id} or a generated UUID
 * @param turn the number of requests of this session, this one included, counted from 1
 */
public record BoundSession(String id, int turn) {
}
