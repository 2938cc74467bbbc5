package io.portcullis.recording;

import io.micrometer.core.instrument.Metrics;
import io.portcullis.api.ChatRequest;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Entry point of the session recording on the request path: opens one
 * {@link ExchangeRecording} per chat request and applies the fail-closed setting to its writes.
 */
@ApplicationScoped
public class Recorder {

    private static final Logger LOG = Logger.getLogger(Recorder.class);

    private final SessionEventStore store;
    private final RecordingConfig config;

    @Inject
    public Recorder(SessionEventStore store, RecordingConfig config) {
        this.store = store;
        this.config = config;
    }

    /** Opens the recording of a chat request; its outcome is recorded when the response ends. */
    public ExchangeRecording open(RoutingContext context, String requestId, CallerIdentity caller,
            ChatRequest request) {
        return new ExchangeRecording(this, context, requestId, caller, request);
    }

    Future<Void> append(SessionOwner owner, List<NewEvent> events, String stage) {
        return Future.fromCompletionStage(store.append(owner, events).subscribeAsCompletionStage())
                .<Void>mapEmpty()
                .onFailure(failure -> {
                    Metrics.counter("portcullis.recording.failures", "stage", stage).increment();
                    LOG.errorf("Storing the %s events of session %s failed: %s", stage, owner.sessionId(),
                            failure.toString());
                });
    }

    /** Turns a failed request record into {@code recording_unavailable}, or lets it pass when recording fails open. */
    Future<Void> requireDurable(Future<Void> write, String requestId) {
        return write.recover(failure -> {
            if (config.failClosed()) {
                return Future.failedFuture(new GatewayException(ErrorCode.RECORDING_UNAVAILABLE));
            }
            LOG.warnf("Request %s goes on unrecorded, because portcullis.recording.fail-closed is false", requestId);
            return Future.succeededFuture();
        });
    }

    /**
     * Watches an outcome write that happens after the caller got the response: failing closed is
     * no longer possible, so a failure is only logged and counted.
     */
    void reportLate(Future<Void> write, String requestId) {
        write.onFailure(failure -> LOG.errorf("The outcome of request %s is not recorded", requestId));
    }
}
