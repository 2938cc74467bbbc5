package io.portcullis.upstream;

import io.portcullis.BaseUrls;
import io.portcullis.GatewayConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configured upstreams and the model routing table. Built at boot; a configuration
 * error stops the boot with the full key, the bad value and the fix.
 */
@Startup
@ApplicationScoped
public class UpstreamRegistry {

    private static final Logger LOG = Logger.getLogger(UpstreamRegistry.class);

    private final Map<String, Upstream> upstreamsByModel;
    private final List<Upstream> upstreams;

    @Inject
    public UpstreamRegistry(GatewayConfig config, Vertx vertx) {
        Map<String, Upstream> byModel = new TreeMap<>();
        List<Upstream> all = new ArrayList<>();
        for (var entry : new TreeMap<>(config.upstreams()).entrySet()) {
            Upstream upstream = build(entry.getKey(), entry.getValue(), vertx);
            all.add(upstream);
            for (String model : upstream.models()) {
                Upstream previous = byModel.putIfAbsent(model, upstream);
                if (previous != null) {
                    throw new IllegalArgumentException("Model '" + model + "' is listed by both portcullis.upstreams."
                            + previous.name() + ".models and portcullis.upstreams." + upstream.name()
                            + ".models. List each model under one upstream only.");
                }
            }
            LOG.infof("Upstream %s at %s serves %s", upstream.name(), upstream.baseUri(), upstream.models());
        }
        if (all.isEmpty()) {
            LOG.warn("No upstream is configured, so every model is unknown. Set portcullis.upstreams.<name>.base-url"
                    + " and portcullis.upstreams.<name>.models.");
        }
        this.upstreamsByModel = Collections.unmodifiableMap(new LinkedHashMap<>(byModel));
        this.upstreams = List.copyOf(all);
    }

    /** Returns the upstream that serves a model, if any. */
    public Optional<Upstream> route(String model) {
        return Optional.ofNullable(upstreamsByModel.get(model));
    }

    /** Returns all routed model ids with their upstream, sorted by model id. */
    public Map<String, Upstream> models() {
        return upstreamsByModel;
    }

    @PreDestroy
    void close() {
        for (Upstream upstream : upstreams) {
            upstream.client().close();
        }
    }

    private static Upstream build(String name, GatewayConfig.Upstream config, Vertx vertx) {
        String prefix = "portcullis.upstreams." + name + ".";
        URI baseUri = parseBaseUrl(prefix + "base-url", config.baseUrl());
        List<String> models = new ArrayList<>();
        for (String model : config.models()) {
            if (!model.isBlank()) {
                models.add(model.strip());
            }
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException(prefix + "models is empty. List the model ids this upstream serves.");
        }
        UpstreamCredential credential = credential(prefix, config);
        HttpClientOptions options = clientOptions(baseUri, config);
        return new Upstream(name, baseUri, List.copyOf(models), credential, config.responseTimeout(),
                config.idleTimeout(), vertx.createHttpClient(options));
    }

    private static URI parseBaseUrl(String key, String value) {
        return BaseUrls.parse(key, value, "https://api.openai.com/v1");
    }

    private static UpstreamCredential credential(String prefix, GatewayConfig.Upstream config) {
        if (config.apiKeyEnv().isPresent() && config.apiKeyFile().isPresent()) {
            throw new IllegalArgumentException(prefix + "api-key-env and " + prefix
                    + "api-key-file are both set. Keep one of them.");
        }
        if (config.apiKeyEnv().isPresent()) {
            return UpstreamCredential.fromEnvironment(config.apiKeyEnv().get(), prefix + "api-key-env");
        }
        if (config.apiKeyFile().isPresent()) {
            return UpstreamCredential.fromFile(Path.of(config.apiKeyFile().get()), prefix + "api-key-file",
                    Clock.systemUTC());
        }
        return UpstreamCredential.none();
    }

    private static HttpClientOptions clientOptions(URI baseUri, GatewayConfig.Upstream config) {
        return BaseUrls.keepAliveClient(baseUri, config.maxConnections(), config.connectTimeout(),
                "upstream-" + baseUri.getHost() + "-" + baseUri.getPort());
    }
}
