package io.portcullis.streaming;

import io.portcullis.error.ErrorBodies;
import io.portcullis.error.ErrorCode;
import io.portcullis.observability.FirstTokens;
import io.portcullis.upstream.UpstreamExchange;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;

/**
 * Relays an upstream's server-sent events to the caller one complete event at a time, as they
 * arrive. Back-pressure: when the caller's write queue is full the upstream response is
 * paused, so a caller that stops reading stalls the upstream instead of filling memory.
 *
 * <p>A stream ends cleanly only after {@code [DONE]} or an upstream error event. When the
 * upstream breaks off, sends something that is not an event of JSON objects, or stays silent
 * past the idle timeout, the caller gets one {@code data: {"error": ...}} event and no
 * {@code [DONE]}, so that OpenAI SDKs raise an error instead of returning a truncated answer.
 * When the caller disconnects, the upstream connection is closed. A {@link RelayTap} sees the
 * data of every event the caller gets, after rewriting, and how the stream ended.
 */
public final class StreamRelay {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class);
    /** Largest single event accepted from an upstream; recorded streams have events of up to about 44 KB. */
    static final int MAX_EVENT_BYTES = 1024 * 1024;
    /** Events read ahead while a stage waits; beyond this the upstream is paused. */
    static final int MAX_QUEUED_EVENTS = 1024;
    private static final String KEEP_ALIVE = ": waiting for a check of the answer\n\n";

    private final Vertx vertx;
    private final HttpServerResponse caller;
    private final HttpClientResponse upstream;
    private final UpstreamExchange exchange;
    private final Duration idleTimeout;
    /** Rewrites the data events' payloads, or null to relay the upstream's bytes unchanged. */
    private final EventRewriter rewriter;
    /** Sees each chunk after the rewriter and may wait before releasing it, or null. */
    private final StreamStage stage;
    private final SseEventParser parser = new SseEventParser(MAX_EVENT_BYTES);
    /** Events read from the upstream and not yet relayed, because the stage is busy. */
    private final Deque<SseEvent> queue = new ArrayDeque<>();
    /** True while the stage processes a chunk; the relay then relays nothing else. */
    private boolean stageBusy;
    private boolean upstreamEnded;
    private long keepAliveTimer = -1;
    /**
     * Original bytes of the events handed to the stage, by payload object, so that a payload the
     * stage releases unchanged (the same object) goes out as the upstream sent it.
     */
    private final Map<JsonObject, Buffer> originals = new IdentityHashMap<>();
    /** The caller's context: stage results may complete on another thread and are handed back to it. */
    private Context context;
    private long idleTimer = -1;
    private boolean finished;
    private boolean doneSeen;
    private boolean errorSeen;
    private long eventCount;
    /** True while the upstream is paused because the caller reads slower than the upstream writes. */
    private boolean pausedByCaller;
    private Runnable onFirstToken = () -> { };
    private boolean tokenSeen;
    private RelayTap tap = RelayTap.NONE;

    public StreamRelay(Vertx vertx, HttpServerResponse caller, HttpClientResponse upstream, UpstreamExchange exchange,
            Duration idleTimeout) {
        this(vertx, caller, upstream, exchange, idleTimeout, null);
    }

    /**
     * Creates a relay whose data events pass through the rewriter, or unchanged when it is null.
     */
    public StreamRelay(Vertx vertx, HttpServerResponse caller, HttpClientResponse upstream, UpstreamExchange exchange,
            Duration idleTimeout, EventRewriter rewriter) {
        this(vertx, caller, upstream, exchange, idleTimeout, rewriter, null);
    }

    /**
     * Creates a relay whose data events pass through the rewriter, then through the stage, either
     * of which may be null.
     */
    public StreamRelay(Vertx vertx, HttpServerResponse caller, HttpClientResponse upstream, UpstreamExchange exchange,
            Duration idleTimeout, EventRewriter rewriter, StreamStage stage) {
        this.rewriter = rewriter;
        this.stage = stage;
        this.vertx = vertx;
        this.caller = caller;
        this.upstream = upstream;
        this.exchange = exchange;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Starts relaying. The caller's status line and headers must already be set, and may already be
     * sent, as they are for a request that waited for approval.
     */
    public void start() {
        context = vertx.getOrCreateContext();
        if (!caller.headWritten()) {
            caller.setChunked(true);
        }
        caller.closeHandler(ignored -> onCallerClosed());
        caller.drainHandler(ignored -> {
            if (!finished && pausedByCaller) {
                pausedByCaller = false;
                upstream.resume();
            }
        });
        upstream.handler(this::onChunk);
        upstream.endHandler(ignored -> onUpstreamEnd());
        upstream.exceptionHandler(this::onUpstreamFailure);
        armIdleTimer();
        // Send the headers now: SDKs wait for them before they show anything.
        if (!caller.headWritten()) {
            caller.writeHead();
        }
        upstream.resume();
    }

    /** Sets the tap that sees every data event the caller gets and how the stream ended. */
    public StreamRelay tap(RelayTap observer) {
        this.tap = observer;
        return this;
    }

    /**
     * Ends the caller's stream with an error event in place of {@link #start()}, because the
     * upstream response failed while it was paused before the relay. Its handlers can no longer
     * be set, so the events that had arrived are not relayed.
     */
    public void failBeforeStart(Throwable failure) {
        onUpstreamFailure(failure);
    }

    private void onChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        armIdleTimer();
        try {
            queue.addAll(parser.feed(chunk));
        } catch (SseEventParser.EventTooLargeException e) {
            fail(ErrorCode.UPSTREAM_INVALID_RESPONSE, "upstream sent an event over " + MAX_EVENT_BYTES + " bytes");
            return;
        }
        drain();
        if (!finished && (caller.writeQueueFull() || queue.size() > MAX_QUEUED_EVENTS)) {
            pausedByCaller = true;
            upstream.pause();
        }
    }

    /** Relays queued events in order until the queue is empty or the stage is busy. */
    private void drain() {
        while (!finished && !stageBusy && !queue.isEmpty()) {
            if (!relay(queue.poll())) {
                return;
            }
        }
        if (finished || stageBusy) {
            return;
        }
        if (pausedByCaller && !caller.writeQueueFull()) {
            pausedByCaller = false;
            upstream.resume();
        }
        if (upstreamEnded) {
            endAfterLastEvent();
        }
    }

    /** Writes one event; returns false when the stream was ended because the event is invalid. */
    private boolean relay(SseEvent event) {
        if (doneSeen || errorSeen) {
            // Nothing after [DONE] or an error event may reach the caller.
            return true;
        }
        if (!event.wellFormed()) {
            fail(ErrorCode.UPSTREAM_INVALID_RESPONSE, "upstream sent a line that is not an SSE field");
            return false;
        }
        if (event.isCommentOnly()) {
            caller.write(event.raw());
            return true;
        }
        if (event.isDone()) {
            if (stage != null) {
                return finishThroughStage(event);
            }
            if (!writeFinish()) {
                return false;
            }
            doneSeen = true;
            deliver(event.raw(), event.data());
            return true;
        }
        JsonObject payload = parseObject(event.data());
        if (payload == null) {
            fail(ErrorCode.UPSTREAM_INVALID_RESPONSE, "upstream sent an event whose data is not a JSON object");
            return false;
        }
        eventCount++;
        if (payload.containsKey("error")) {
            LOG.warnf("Upstream %s sent an error event after %d events", exchange.upstream().name(), eventCount);
            if (!writeFinish()) {
                return false;
            }
            errorSeen = true;
            deliver(event.raw(), event.data());
            return true;
        }
        if (rewriter == null && stage == null) {
            deliver(event.raw(), event.data());
            noteToken(payload);
            return true;
        }
        if (rewriter == null) {
            originals.put(payload, event.raw());
            runStage(stage.onChunk(payload), null);
            return true;
        }
        List<JsonObject> rewritten;
        try {
            rewritten = rewriter.rewrite(payload);
        } catch (RuntimeException e) {
            fail(ErrorCode.MASKING_FAILED, "rewriting an event failed: " + e.getClass().getName());
            return false;
        }
        if (stage != null) {
            runStage(throughStage(rewritten), null);
            return true;
        }
        for (int i = 0; i < rewritten.size(); i++) {
            String data = rewritten.get(i).encode();
            // The event's own id and event fields go with the last payload, which is the event itself.
            deliver(i == rewritten.size() - 1 ? SseEvents.withData(event, data) : SseEvents.data(data), data);
            noteToken(rewritten.get(i));
        }
        return true;
    }

    /** Sets the action run once, when the first event that carries output reaches the caller. */
    public StreamRelay onFirstToken(Runnable action) {
        this.onFirstToken = action;
        return this;
    }

    /** Runs the first-token action when {@code written} is the first payload sent that carries output. */
    private void noteToken(JsonObject written) {
        if (!tokenSeen && FirstTokens.carriesToken(written)) {
            tokenSeen = true;
            onFirstToken.run();
        }
    }

    /** Passes the rewriter's remaining payloads and then the end of the stream through the stage, then writes [DONE]. */
    private boolean finishThroughStage(SseEvent done) {
        List<JsonObject> remaining;
        try {
            remaining = rewriter == null ? List.of() : rewriter.finish();
        } catch (RuntimeException e) {
            fail(ErrorCode.MASKING_FAILED, "rewriting the end of the stream failed: " + e.getClass().getName());
            return false;
        }
        doneSeen = true;
        Uni<List<JsonObject>> work = throughStage(remaining).chain(first -> stage.onEnd().map(last -> {
            List<JsonObject> all = new ArrayList<>(first);
            all.addAll(last);
            return all;
        }));
        runStage(work, () -> deliver(done.raw(), done.data()));
        return true;
    }

    /** Has the stage process payloads one after the other, and collects what it releases. */
    private Uni<List<JsonObject>> throughStage(List<JsonObject> payloads) {
        return Multi.createFrom().iterable(payloads)
                .onItem().transformToUniAndConcatenate(stage::onChunk)
                .collect().in(ArrayList<JsonObject>::new, List::addAll)
                .map(list -> (List<JsonObject>) list);
    }

    /**
     * Lets the stage work, and relays nothing else until it is done. While it waits, the caller
     * gets an SSE comment every keep-alive interval.
     *
     * @param after runs after the released payloads are written, or null
     */
    private void runStage(Uni<List<JsonObject>> work, Runnable after) {
        stageBusy = true;
        keepAliveTimer = vertx.setPeriodic(stage.keepAliveInterval().toMillis(), timer -> {
            if (!finished && !caller.closed()) {
                caller.write(KEEP_ALIVE);
            }
        });
        work.subscribe().with(payloads -> context.runOnContext(ignored -> {
            stopKeepAlive();
            stageBusy = false;
            if (finished) {
                return;
            }
            for (JsonObject released : payloads) {
                Buffer original = originals.remove(released);
                if (original != null) {
                    deliver(original, SseEvents.dataOf(original));
                } else {
                    String data = released.encode();
                    deliver(SseEvents.data(data), data);
                }
                noteToken(released);
            }
            if (after != null) {
                after.run();
            }
            drain();
        }), failure -> context.runOnContext(ignored -> {
            stopKeepAlive();
            stageBusy = false;
            LOG.errorf("A stream stage failed: %s", failure.toString());
            fail(ErrorCode.INTERNAL_ERROR, "stream stage failed");
        }));
    }

    private void stopKeepAlive() {
        if (keepAliveTimer != -1) {
            vertx.cancelTimer(keepAliveTimer);
            keepAliveTimer = -1;
        }
    }

    /** Writes what the rewriter still holds; returns false when that failed and the stream was ended. */
    private boolean writeFinish() {
        if (rewriter == null) {
            return true;
        }
        try {
            for (JsonObject payload : rewriter.finish()) {
                String data = payload.encode();
                deliver(SseEvents.data(data), data);
                noteToken(payload);
            }
            return true;
        } catch (RuntimeException e) {
            fail(ErrorCode.MASKING_FAILED, "rewriting the end of the stream failed: " + e.getClass().getName());
            return false;
        }
    }

    /** Writes a data event to the caller, after showing it to the tap. */
    private void deliver(Buffer bytes, String data) {
        tap.onData(data, bytes.length());
        caller.write(bytes);
    }

    private static JsonObject parseObject(String data) {
        if (data == null) {
            return null;
        }
        try {
            return Json.decodeValue(data) instanceof JsonObject object ? object : null;
        } catch (DecodeException e) {
            return null;
        }
    }

    private void onUpstreamEnd() {
        if (finished) {
            return;
        }
        queue.addAll(parser.finish());
        upstreamEnded = true;
        drain();
    }

    private void endAfterLastEvent() {
        if (doneSeen || errorSeen) {
            finish();
            return;
        }
        String detail = parser.hasPartialEvent() ? "upstream ended inside an event" : "upstream ended without [DONE]";
        fail(ErrorCode.UPSTREAM_STREAM_TRUNCATED, detail);
    }

    private void onUpstreamFailure(Throwable failure) {
        if (finished) {
            return;
        }
        if (doneSeen || errorSeen) {
            finish();
            return;
        }
        fail(ErrorCode.UPSTREAM_STREAM_TRUNCATED, "upstream connection failed: " + failure.getClass().getSimpleName());
    }

    private void onIdleTimeout() {
        idleTimer = -1;
        if (pausedByCaller || stageBusy) {
            // The silence is the caller's: it has not read what was already sent.
            armIdleTimer();
            return;
        }
        if (!finished) {
            fail(ErrorCode.UPSTREAM_TIMEOUT, "upstream was silent for " + idleTimeout);
        }
    }

    private void onCallerClosed() {
        if (finished) {
            return;
        }
        finished = true;
        cancelIdleTimer();
        stopKeepAlive();
        if (stage != null) {
            stage.cancel();
        }
        LOG.infof("Caller disconnected after %d events; closing the upstream %s connection", eventCount,
                exchange.upstream().name());
        exchange.cancel();
        tap.onEnd(RelayTap.RelayOutcome.CALLER_CLOSED, null);
    }

    /** Ends the caller's stream with an error event; the upstream connection is closed. */
    private void fail(ErrorCode code, String logDetail) {
        finished = true;
        cancelIdleTimer();
        stopKeepAlive();
        if (stage != null) {
            stage.cancel();
        }
        LOG.warnf("Stream from upstream %s failed after %d events: %s (%s)", exchange.upstream().name(), eventCount,
                code.code(), logDetail);
        exchange.cancel();
        tap.onEnd(RelayTap.RelayOutcome.FAILED, code);
        if (!caller.closed() && !caller.ended()) {
            caller.end(ErrorBodies.sseEvent(code, code.message()));
        }
    }

    private void finish() {
        finished = true;
        cancelIdleTimer();
        tap.onEnd(errorSeen ? RelayTap.RelayOutcome.UPSTREAM_ERROR_EVENT : RelayTap.RelayOutcome.COMPLETED, null);
        if (!caller.closed() && !caller.ended()) {
            caller.end();
        }
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        idleTimer = vertx.setTimer(idleTimeout.toMillis(), ignored -> onIdleTimeout());
    }

    private void cancelIdleTimer() {
        if (idleTimer != -1) {
            vertx.cancelTimer(idleTimer);
            idleTimer = -1;
        }
    }
}
