package io.portcullis.observability;

import io.portcullis.approval.ApprovalEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Counts approval events in {@code portcullis_approvals_total}. Cancellations (the caller went
 * away) are counted as {@code expired}, because the hold ended without an approver's decision.
 */
@ApplicationScoped
public class ApprovalMetrics {

    private final GatewayMetrics metrics;

    @Inject
    public ApprovalMetrics(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    void onApproval(@Observes ApprovalEvent event) {
        metrics.approval(switch (event.type()) {
            case REQUESTED -> "requested";
            case GRANTED -> "granted";
            case DENIED -> "denied";
            case EXPIRED, CANCELLED -> "expired";
        });
    }
}
