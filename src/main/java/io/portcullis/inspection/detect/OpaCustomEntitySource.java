package io.portcullis.inspection.detect;

import io.portcullis.BaseUrls;
import io.portcullis.policy.PolicyConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the custom entities of the OPA data document at {@code portcullis.inspection.custom.opa-path}
 * from OPA's REST Data API ({@code GET /v1/data/<path>}) at boot and then every refresh interval,
 * and hands them to {@link DetectingFindings}. An absent document means no custom entities.
 *
 * <p>A document with an invalid entry, or a failed read, keeps the last valid set of entities in
 * use, so that one bad entry cannot switch off detection. The error is logged once per
 * distinct message and reported by {@link #status()} and the wellness health check.
 */
@Startup
@ApplicationScoped
public class OpaCustomEntitySource {

    private static final Logger LOG = Logger.getLogger(OpaCustomEntitySource.class);

    /** Maximum size of the document, in bytes: tens of thousands of dictionary words. */
    static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

    /**
     * The outcome of the last read.
     *
     * @param loadedAt  when the entities in use were read, or null before the first valid document
     * @param detectors number of custom entities in use from OPA
     * @param error     why the last read was not used, or null when it was
     */
    public record Status(Instant loadedAt, int detectors, String error) {
    }

    private final Vertx vertx;
    private final DetectingFindings findings;
    private final Optional<String> path;
    private final String source;
    private final Duration timeout;
    private final HttpClient client;
    private final String uri;
    private final AtomicReference<Status> status = new AtomicReference<>(new Status(null, 0, null));
    private volatile String lastDocument;
    private volatile String lastError;
    private long timer = -1;

    @Inject
    public OpaCustomEntitySource(Vertx vertx, DetectingFindings findings, CustomEntityConfig config,
            PolicyConfig policy) {
        this.vertx = vertx;
        this.findings = findings;
        this.path = config.opaDocumentPath();
        this.timeout = config.fetchTimeout();
        if (!path.isPresent()) {
            this.source = null;
            this.client = null;
            this.uri = null;
            return;
        }
        String documentPath = path.get();
        if (!documentPath.matches("[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new IllegalArgumentException("Invalid portcullis.inspection.custom.opa-path=" + documentPath
                    + ": expected package path segments separated by '/', such as portcullis/config/custom_entities,"
                    + " or none");
        }
        if (config.refreshInterval().toMillis() < 1 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("Invalid portcullis.inspection.custom.refresh-interval="
                    + config.refreshInterval() + " or fetch-timeout=" + timeout + ": both must be positive, such as 30s"
                    + " and 2s");
        }
        URI url = BaseUrls.parse("portcullis.policy.url", policy.url(), "http://127.0.0.1:8181");
        String basePath = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/$", "");
        this.source = "data." + documentPath.replace('/', '.');
        this.uri = basePath + "/v1/data/" + documentPath;
        this.client = vertx.createHttpClient(BaseUrls.keepAliveClient(url, 1, timeout, "opa-custom-entities"));
        refresh();
        this.timer = vertx.setPeriodic(config.refreshInterval().toMillis(), id -> refresh());
    }

    /** Returns what the last read did. */
    public Status status() {
        return status.get();
    }

    /** Reads the document once and uses it when it is valid. */
    Future<Void> refresh() {
        if (client == null) {
            return Future.succeededFuture();
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
                .setFollowRedirects(false).setTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        return client.request(options)
                .compose(request -> request.send().compose(OpaCustomEntitySource::readBody))
                .map(this::use)
                .otherwise(failure -> {
                    reject("reading " + source + " from OPA failed: " + failure.getMessage());
                    return null;
                })
                .mapEmpty();
    }

    private static Future<Buffer> readBody(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            return response.body().transform(ignored -> Future.failedFuture("status " + response.statusCode()));
        }
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && Long.parseLong(length) > MAX_DOCUMENT_BYTES) {
            return Future.failedFuture("the document is larger than " + MAX_DOCUMENT_BYTES + " bytes");
        }
        return response.body().compose(body -> body.length() > MAX_DOCUMENT_BYTES
                ? Future.failedFuture("the document is larger than " + MAX_DOCUMENT_BYTES + " bytes")
                : Future.succeededFuture(body));
    }

    private Void use(Buffer body) {
        JsonObject response;
        try {
            response = body.toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            reject("OPA returned no JSON object for " + source);
            return null;
        }
        Object result = response.getValue("result");
        if (result != null && !(result instanceof JsonObject)) {
            reject("Invalid " + source + ": expected an object with patterns and dictionaries");
            return null;
        }
        JsonObject document = result == null ? new JsonObject() : (JsonObject) result;
        String encoded = document.encode();
        if (encoded.equals(lastDocument)) {
            status.set(new Status(status.get().loadedAt(), status.get().detectors(), null));
            lastError = null;
            return null;
        }
        List<Detector> detectors;
        try {
            detectors = CustomEntities.fromJson(source, document);
        } catch (IllegalArgumentException e) {
            reject(e.getMessage() + " The custom entities read before stay in use.");
            return null;
        }
        findings.useOpaDetectors(detectors);
        lastDocument = encoded;
        lastError = null;
        status.set(new Status(Instant.now(), detectors.size(), null));
        LOG.infof("Using %d custom entities from OPA document %s", detectors.size(), source);
        return null;
    }

    private void reject(String error) {
        Status previous = status.get();
        status.set(new Status(previous.loadedAt(), previous.detectors(), error));
        if (!Objects.equals(error, lastError)) {
            LOG.warn(error);
            lastError = error;
        }
    }

    @PreDestroy
    void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (client != null) {
            client.close();
        }
    }
}
