package io.portcullis.simulator;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one received request. The event loop updates it while the
 * response is written, and test threads read it through {@link #snapshot()}.
 */
final class RequestTrace {

    private final long id;
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Instant receivedAt;
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile boolean completed;
    private volatile boolean clientClosedEarly;
    private volatile boolean closedByServer;

    RequestTrace(long id, String method, String path, MultiMap headers, byte[] body, Instant receivedAt) {
        this.id = id;
        this.method = method;
        this.path = path;
        this.headers = copyHeaders(headers);
        this.body = body;
        this.receivedAt = receivedAt;
    }

    long id() {
        return id;
    }

    void addBytesWritten(int count) {
        bytesWritten.addAndGet(count);
    }

    void markCompleted() {
        completed = true;
    }

    /** Records that the simulator itself is closing the connection, so the close is not blamed on the client. */
    void markClosedByServer() {
        closedByServer = true;
    }

    /** Records a connection close seen before the response ended, unless the simulator caused it. */
    void connectionClosed() {
        if (!completed && !closedByServer) {
            clientClosedEarly = true;
        }
    }

    ReceivedRequest snapshot() {
        return new ReceivedRequest(id, method, path, headers, body, receivedAt,
                bytesWritten.get(), completed, clientClosedEarly);
    }

    private static Map<String, List<String>> copyHeaders(MultiMap headers) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : headers.names()) {
            copy.put(name, List.copyOf(headers.getAll(name)));
        }
        return Collections.unmodifiableMap(copy);
    }
}
