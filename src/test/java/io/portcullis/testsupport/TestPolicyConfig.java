package io.portcullis.testsupport;

import io.portcullis.policy.PolicyConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Policy settings for tests and benchmarks that build an OPA client without the gateway's configuration. */
public record TestPolicyConfig(String url, Duration timeout, int maxConnections) implements PolicyConfig {

    @Override
    public String decisionPath() {
        return "portcullis/decision";
    }

    @Override
    public String toolCallPath() {
        return "portcullis/tool_call";
    }

    @Override
    public Optional<List<String>> trustedProxies() {
        return Optional.empty();
    }
}
