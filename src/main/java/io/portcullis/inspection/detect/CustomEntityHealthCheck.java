package io.portcullis.inspection.detect;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Reports at {@code /q/health/well} whether the last read of the custom entities in OPA data
 * was used. It is no readiness check: detection goes on with the last valid set.
 */
@Wellness
@ApplicationScoped
public class CustomEntityHealthCheck implements HealthCheck {

    private final OpaCustomEntitySource source;

    @Inject
    public CustomEntityHealthCheck(OpaCustomEntitySource source) {
        this.source = source;
    }

    @Override
    public HealthCheckResponse call() {
        OpaCustomEntitySource.Status status = source.status();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("custom-entities")
                .status(status.error() == null)
                .withData("detectors", status.detectors());
        if (status.loadedAt() != null) {
            response.withData("loaded_at", status.loadedAt().toString());
        }
        if (status.error() != null) {
            response.withData("error", status.error());
        }
        return response.build();
    }
}
