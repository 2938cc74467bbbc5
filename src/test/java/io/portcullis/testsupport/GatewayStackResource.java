package io.portcullis.testsupport;

import io.portcullis.simulator.UpstreamSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the in-process pieces that tests need beside the real services: the upstream
 * simulator, routed as upstream "sim", the misbehaving {@link OddUpstream} as upstream "odd", a
 * second OIDC issuer, and a fake OPA that allows every request. Keycloak, PostgreSQL and the model server are the real ones that stack/up starts.
 *
 * <p>The shipped policy data (opa-policies/data.json) gives no caller the simulator's models, so
 * tests of the proxy get their decisions from the fake OPA. The tests of the real policy point
 * the gateway at the real OPA through their own profile.
 */
public class GatewayStackResource implements QuarkusTestResourceLifecycleManager {

    /** The API key the gateway presents to the simulator; it must never reach a caller. */
    public static final String SIMULATOR_API_KEY = "sk-sim-9f8e7d6c5b4a39281706";

    public static UpstreamSimulator simulator;
    public static TestIssuer testIssuer;
    public static OddUpstream oddUpstream;
    public static FakeOpa policy;

    @Override
    public Map<String, String> start() {
        simulator = new UpstreamSimulator();
        simulator.start(0);
        testIssuer = new TestIssuer();
        testIssuer.start();
        oddUpstream = new OddUpstream();
        int oddPort = oddUpstream.start();
        policy = new FakeOpa();
        policy.start(0);
        Path keyFile;
        try {
            keyFile = Files.createTempFile("portcullis-sim-key", ".txt");
            Files.writeString(keyFile, SIMULATOR_API_KEY + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("portcullis.upstreams.sim.base-url", simulator.baseUrl());
        config.put("portcullis.upstreams.sim.models", "sim-gpt,sim-gpt-mini");
        config.put("portcullis.upstreams.sim.api-key-file", keyFile.toString());
        config.put("portcullis.upstreams.sim.response-timeout", "3s");
        config.put("portcullis.upstreams.sim.idle-timeout", "3s");
        config.put("portcullis.upstreams.odd.base-url", "http://127.0.0.1:" + oddPort + "/v1");
        config.put("portcullis.upstreams.odd.models", "odd-json-for-stream,odd-html-400,odd-json-422-echo,odd-empty-400");
        config.put("portcullis.upstreams.odd.api-key-file", keyFile.toString());
        config.put("portcullis.upstreams.down.base-url", "http://127.0.0.1:1/v1");
        config.put("portcullis.upstreams.down.models", "down-model");
        config.put("quarkus.oidc.test-issuer.auth-server-url", testIssuer.issuer());
        config.put("quarkus.oidc.test-issuer.token.audience", "portcullis");
        config.put("quarkus.oidc.test-issuer.application-type", "service");
        config.put("quarkus.oidc.test-issuer.token.allow-jwt-introspection", "false");
        config.put("quarkus.oidc.test-issuer.token.allow-opaque-token-introspection", "false");
        config.put("quarkus.oidc.test-issuer.token.lifespan-grace", "30");
        config.put("quarkus.oidc.test-issuer.token.forced-jwk-refresh-interval", "1S");
        // The gateway's own JWKS cache refetches on an unknown key id no sooner than this.
        config.put("portcullis.authentication.jwks-refresh-interval", "1s");
        config.put("portcullis.limits.max-request-body", "65536");
        config.put("portcullis.policy.url", policy.url());
        // A loaded test machine can pause longer than the production default of 200 ms.
        config.put("portcullis.policy.timeout", "1s");
        return config;
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.stop();
        }
        if (testIssuer != null) {
            testIssuer.stop();
        }
        if (oddUpstream != null) {
            oddUpstream.stop();
        }
        if (policy != null) {
            policy.close();
        }
    }
}
