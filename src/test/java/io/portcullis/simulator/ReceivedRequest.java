package io.portcullis.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one request that the simulator received and of its response so far.
 * Later snapshots of the same request (same {@code id}) may show more bytes written
 * and changed flags.
 *
 * @param id sequence number, starting at 1 for each simulator
 * @param method HTTP method
 * @param path request path without the query string
 * @param headers every request header with all its values, under case-insensitive keys
 * @param body raw request body, copied by the accessor
 * @param receivedAt when the whole request body had arrived
 * @param bytesWritten response body bytes handed to the connection so far, without
 *     chunked-encoding overhead
 * @param completed whether the simulator ended the response normally. A fault that ends
 *     the response (midstream_error, truncate, garbage, status) counts as completed. A
 *     reset or a hang does not
 * @param clientClosedEarly whether the connection closed before the simulator wrote the
 *     last chunk, for a reason other than a reset fault or {@link UpstreamSimulator#stop()}
 */
public record ReceivedRequest(
        long id,
        String method,
        String path,
        Map<String, List<String>> headers,
        byte[] body,
        Instant receivedAt,
        long bytesWritten,
        boolean completed,
        boolean clientClosedEarly) {

    public ReceivedRequest {
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Decodes the body as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Returns the first value of a header, matched case-insensitively. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Returns the token of an {@code Authorization: Bearer} header, which the simulator accepts whatever it is. */
    public Optional<String> bearerToken() {
        return header("Authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim());
    }
}
