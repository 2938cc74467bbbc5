package io.portcullis.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Connection to Open Policy Agent, under {@code portcullis.policy}. Invalid values stop the
 * boot with the full key.
 */
@ConfigMapping(prefix = "portcullis.policy")
public interface PolicyConfig {

    /**
     * Base URL of OPA's REST API, without {@code /v1}. Default {@code http://127.0.0.1:8181}, an
     * OPA sidecar. A path is kept, for an OPA behind a reverse proxy that serves it below one.
     */
    @WithDefault("http://127.0.0.1:8181")
    String url();

    /**
     * Path of the request decision below {@code /v1/data/}: package path segments separated by
     * {@code /}. Default {@code portcullis/decision}, the rule {@code decision} of package
     * {@code portcullis}.
     */
    @WithName("decision-path")
    @WithDefault("portcullis/decision")
    String decisionPath();

    /** Path of the tool-call decision below {@code /v1/data/}. Default {@code portcullis/tool_call}. */
    @WithName("tool-call-path")
    @WithDefault("portcullis/tool_call")
    String toolCallPath();

    /**
     * Time allowed for one decision, from opening the connection to the end of OPA's response.
     * Without a response by then the request fails with 503 {@code policy_unavailable}. Default
     * 200 ms.
     */
    @WithDefault("200ms")
    Duration timeout();

    /** Maximum pooled keep-alive connections to OPA. Default 32. */
    @WithName("max-connections")
    @WithDefault("32")
    int maxConnections();

    /**
     * Peers whose {@code X-Forwarded-For} is believed: IP addresses or CIDR ranges, such as
     * {@code 10.0.0.0/8}. A request from one of them gets the first address of that header as
     * its source address in the policy input. Any other request gets its peer's address. Default
     * none.
     */
    @WithName("trusted-proxies")
    Optional<List<String>> trustedProxies();
}
