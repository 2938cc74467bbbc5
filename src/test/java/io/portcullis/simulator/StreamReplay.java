package io.portcullis.simulator;

import io.portcullis.simulator.Scenario.Chunking;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/**
 * Writes one streamed response from a {@link StreamPlan}, honouring back-pressure: when
 * the connection's write queue is full it stops and resumes from the drain handler, so
 * at most the write queue and the socket buffers hold unsent data.
 *
 * <p>All methods run on the event loop of the request's connection.
 */
final class StreamReplay {

    private static final System.Logger LOG = System.getLogger(StreamReplay.class.getName());

    private final Vertx vertx;
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final RequestTrace trace;
    private final StreamPlan plan;
    private final WriteCutter cutter;
    private final long delayMs;
    private Future<Void> lastWrite = Future.succeededFuture();

    StreamReplay(Vertx vertx, HttpServerResponse response, HttpConnection connection, RequestTrace trace,
            StreamPlan plan, Chunking chunking, long delayMs) {
        this.vertx = vertx;
        this.response = response;
        this.connection = connection;
        this.trace = trace;
        this.plan = plan;
        this.cutter = new WriteCutter(plan, chunking);
        this.delayMs = delayMs;
    }

    void start() {
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        writeUntilPaused();
    }

    /**
     * Writes until the plan is done, the write queue is full or a delay is due. Plain
     * loop rather than recursion, so a stream of millions of writes does not grow the stack.
     */
    private void writeUntilPaused() {
        while (!response.closed() && cutter.hasNext()) {
            Buffer write = cutter.next();
            trace.addBytesWritten(write.length());
            lastWrite = response.write(write);
            if (!cutter.hasNext()) {
                break;
            }
            if (response.writeQueueFull()) {
                response.drainHandler(ignored -> resumeAfterDrain());
                return;
            }
            if (delayMs > 0) {
                vertx.setTimer(delayMs, timerId -> writeUntilPaused());
                return;
            }
        }
        if (!response.closed()) {
            finish();
        }
    }

    private void resumeAfterDrain() {
        response.drainHandler(null);
        if (delayMs > 0) {
            vertx.setTimer(delayMs, timerId -> writeUntilPaused());
        } else {
            writeUntilPaused();
        }
    }

    private void finish() {
        switch (plan.ending()) {
            case END -> response.end().onComplete(result -> {
                if (result.succeeded()) {
                    trace.markCompleted();
                } else {
                    LOG.log(System.Logger.Level.DEBUG,
                            "Ending the stream of request sim-" + trace.id() + " failed", result.cause());
                }
            });
            case RESET -> lastWrite.onComplete(result -> resetConnection(connection, trace));
        }
    }

    /**
     * Closes the TCP connection with a reset (RST) rather than a FIN, by setting
     * SO_LINGER to 0 before closing, so the client sees "connection reset" mid-body.
     *
     * <p>NOTE: this reaches the Netty channel through {@code ConnectionBase}, an internal
     * Vert.x 4.5 class. Another connection type falls back to an orderly close (FIN).
     */
    static void resetConnection(HttpConnection connection, RequestTrace trace) {
        trace.markClosedByServer();
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        } else {
            connection.close();
        }
    }
}
