package io.portcullis.policy;

/**
 * Origin of a request, as the policy input reports it.
 *
 * @param address   the client's IP address: the peer, or the first {@code X-Forwarded-For} entry
 *                  when the peer is a trusted proxy; null when unknown
 * @param userAgent the {@code User-Agent} header, or null
 */
public record Source(String address, String userAgent) {
}
