package io.portcullis.api;

import io.portcullis.policy.PolicyDecision;
import io.vertx.core.http.HttpServerResponse;

/** Header names the gateway reads from callers or sets on its responses. */
public final class GatewayHeaders {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String SESSION_ID = "X-Session-Id";
    /** OPA's decision id, set when OPA's decision logging is on. */
    public static final String DECISION_ID = "X-Portcullis-Decision-Id";
    /** The token cap that the policy put on the request. */
    public static final String MAX_TOKENS = "X-Portcullis-Max-Tokens";

    private GatewayHeaders() {
    }

    /** Names the policy decision in the response, whether the request goes on or is denied. */
    static void putDecisionId(HttpServerResponse response, PolicyDecision decision) {
        if (decision.decisionId() != null) {
            response.putHeader(DECISION_ID, decision.decisionId());
        }
    }
}
