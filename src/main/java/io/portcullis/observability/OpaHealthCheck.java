package io.portcullis.observability;

import io.portcullis.BaseUrls;
import io.portcullis.policy.PolicyConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;

/**
 * Readiness of the policy service: {@code GET /health} of OPA, which returns 200 once its
 * policies are loaded. Without OPA every request fails with 503, so a replica whose OPA does
 * not answer is taken out of the Service until it does.
 */
@Readiness
@ApplicationScoped
public class OpaHealthCheck implements AsyncHealthCheck {

    static final String NAME = "opa";
    /** Time allowed for OPA's health response. The kubelet's readiness probe times out after 2 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(OpaHealthCheck.class);

    private final HttpClient client;
    private final String healthUri;
    private final String url;
    /** Result of the previous check, so that only changes are logged. */
    private volatile Boolean lastUp;

    @Inject
    public OpaHealthCheck(Vertx vertx, PolicyConfig config) {
        URI parsed = BaseUrls.parse("portcullis.policy.url", config.url(), "http://127.0.0.1:8181");
        String path = parsed.getRawPath() == null ? "" : parsed.getRawPath().replaceAll("/+$", "");
        this.url = config.url();
        this.healthUri = path + "/health";
        this.client = vertx.createHttpClient(BaseUrls.keepAliveClient(parsed, 1, TIMEOUT, "opa-health"));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setURI(healthUri)
                .setIdleTimeout(TIMEOUT.toMillis());
        return Uni.createFrom().completionStage(() -> client.request(request)
                        .compose(opened -> opened.send())
                        .compose(response -> response.body().map(ignored -> response.statusCode()))
                        .toCompletionStage())
                .ifNoItem().after(TIMEOUT).fail()
                .map(status -> status == 200 ? up() : down("OPA returned HTTP " + status))
                .onFailure().recoverWithItem(failure -> down("OPA did not respond: " + failure.getClass().getSimpleName()));
    }

    private HealthCheckResponse up() {
        report(true, null);
        return HealthCheckResponse.named(NAME).up().withData("url", url).build();
    }

    private HealthCheckResponse down(String reason) {
        report(false, reason);
        return HealthCheckResponse.named(NAME).down().withData("url", url).withData("error", reason).build();
    }

    private void report(boolean up, String reason) {
        Boolean previous = lastUp;
        lastUp = up;
        if (previous == null || previous != up) {
            if (up) {
                LOG.infof("OPA at %s is healthy", url);
            } else {
                LOG.warnf("OPA at %s is not healthy, so this replica reports not ready: %s", url, reason);
            }
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
