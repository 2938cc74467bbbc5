package io.portcullis.testsupport;

import java.util.Map;

/**
 * The pieces of {@link GatewayStackResource}, plus a real OPA of the test's own with this clone's
 * policies and a webhook receiver. The shipped policy data lets engineers (alice) and approvers
 * (carol) use smollm2-135m-instruct, so that model is routed to the upstream simulator here, and
 * the real policy decides. The approval timings are short so that tests finish quickly.
 */
public class ApprovalStackResource extends GatewayStackResource {

    public static OpaServer opa;
    public static WebhookReceiver webhook;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        opa = new OpaServer();
        opa.start();
        webhook = new WebhookReceiver();
        webhook.start();
        config.put("portcullis.policy.url", opa.url());
        // The first evaluation of a 16 KB prompt summary on a cold OPA can take longer than 1 s.
        config.put("portcullis.policy.timeout", "3s");
        config.put("portcullis.upstreams.local.base-url", simulator.baseUrl());
        config.put("portcullis.approval.keep-alive-interval", "500ms");
        config.put("portcullis.approval.poll-interval", "1s");
        config.put("portcullis.approval.cancel-grace", "2s");
        config.put("portcullis.approval.webhook-url", webhook.url());
        config.put("portcullis.approval.public-url", "http://127.0.0.1:8581");
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        if (opa != null) {
            opa.stop();
        }
        if (webhook != null) {
            webhook.stop();
        }
    }
}
