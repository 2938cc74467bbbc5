package io.portcullis.observability;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.approval.ApprovalEvent;
import io.portcullis.approval.ApprovalKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ApprovalMetricsTest {

    @Test
    void eventsCountedByOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ApprovalMetrics metrics = new ApprovalMetrics(new GatewayMetrics(registry));
        for (ApprovalEvent.Type type : ApprovalEvent.Type.values()) {
            metrics.onApproval(new ApprovalEvent(type, UUID.randomUUID(), ApprovalKind.values()[0], "s", "r",
                    "issuer", "subject", null, null, Instant.now()));
        }
        assertThat(count(registry, "requested")).isEqualTo(1.0);
        assertThat(count(registry, "granted")).isEqualTo(1.0);
        assertThat(count(registry, "denied")).isEqualTo(1.0);
        // A cancellation ends the hold without a decision, like an expiry.
        assertThat(count(registry, "expired")).isEqualTo(2.0);
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        return registry.get(GatewayMetrics.APPROVALS).tag("outcome", outcome).counter().count();
    }
}
