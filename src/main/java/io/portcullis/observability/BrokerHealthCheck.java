package io.portcullis.observability;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Shows whether the session-event publisher reaches Kafka, in the details of
 * {@code /q/health/ready}. The check is always UP, because the outbox in PostgreSQL keeps the
 * events while Kafka is down. Taking the replica out of the Service would turn a delay of the
 * events into an outage of the gateway.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements HealthCheck {

    static final String NAME = "kafka";

    private final BrokerStatus status;

    @Inject
    public BrokerHealthCheck(BrokerStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).up()
                .withData("broker", status.describe())
                .withData("affects_readiness", false)
                .build();
    }
}
