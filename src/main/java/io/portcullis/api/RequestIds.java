package io.portcullis.api;

import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: an incoming {@code X-Request-Id} is kept when it is safe to log and echo, else one is generated. */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private RequestIds() {
    }

    /**
     * Assigns the request id once per request: stores it in the routing context, sets the
     * response header and puts it in the log context. Later calls return the same id.
     */
    public static String assign(RoutingContext context) {
        String requestId = context.get(GatewayHeaders.REQUEST_ID);
        if (requestId == null) {
            requestId = resolve(context.request().getHeader(GatewayHeaders.REQUEST_ID));
            context.put(GatewayHeaders.REQUEST_ID, requestId);
            context.response().putHeader(GatewayHeaders.REQUEST_ID, requestId);
        }
        MDC.put("requestId", requestId);
        return requestId;
    }

    static String resolve(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }
}
