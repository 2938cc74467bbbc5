package io.portcullis.observability;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    @Test
    void findingsAddCountsPerType() {
        metrics.findings(Map.of("EMAIL_ADDRESS", 2, "IBAN", 1));
        metrics.findings(Map.of("EMAIL_ADDRESS", 1));

        assertThat(registry.get(GatewayMetrics.FINDINGS).tag("entity_type", "EMAIL_ADDRESS").counter().count())
                .isEqualTo(3);
        assertThat(registry.get(GatewayMetrics.FINDINGS).tag("entity_type", "IBAN").counter().count())
                .isEqualTo(1);
    }

    @Test
    void approvalCountsKnownOutcomes() {
        for (String outcome : GatewayMetrics.APPROVAL_OUTCOMES) {
            metrics.approval(outcome);
        }
        metrics.approval("granted");

        assertThat(registry.get(GatewayMetrics.APPROVALS).tag("outcome", "granted").counter().count()).isEqualTo(2);
        assertThat(registry.get(GatewayMetrics.APPROVALS).tag("outcome", "expired").counter().count()).isEqualTo(1);
    }

    @Test
    void approvalRejectsUnknownOutcome() {
        assertThatThrownBy(() -> metrics.approval("approved"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'approved'")
                .hasMessageContaining("granted");
    }

    @Test
    void outboxBacklogReadsSupplier() {
        AtomicLong backlog = new AtomicLong(5);
        metrics.outboxBacklog(backlog::get);
        assertThat(registry.get(GatewayMetrics.OUTBOX_BACKLOG).gauge().value()).isEqualTo(5);

        backlog.set(0);
        assertThat(registry.get(GatewayMetrics.OUTBOX_BACKLOG).gauge().value()).isEqualTo(0);
    }

    @Test
    void firstTokenIsRecordedOncePerRun() {
        Runnable firstToken = metrics.streamStarted("sim");
        firstToken.run();

        assertThat(registry.get(GatewayMetrics.TIME_TO_FIRST_TOKEN).tag("upstream", "sim").timer().count())
                .isEqualTo(1);
    }

    @Test
    void upstreamOutcomeNamesTimeouts() {
        assertThat(GatewayMetrics.upstreamOutcome(Future.failedFuture(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT))))
                .isEqualTo("timeout");
        assertThat(GatewayMetrics.upstreamOutcome(Future.failedFuture(
                new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE)))).isEqualTo("error");
    }
}
