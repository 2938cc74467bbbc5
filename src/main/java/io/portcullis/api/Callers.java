package io.portcullis.api;

import io.micrometer.core.instrument.Metrics;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.authentication.ScreenedBearerAuthenticationMechanism;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the caller of a request from the security identity that Quarkus OIDC verified. */
public final class Callers {

    private static final Logger LOG = Logger.getLogger(Callers.class);

    static final String CALLER_KEY = "portcullis.caller";

    private Callers() {
    }

    /**
     * Returns the caller, or fails with 401 when the request carried no token. Requests with an
     * invalid token never get here: authentication failed before the route ran.
     */
    public static CallerIdentity require(RoutingContext context, IdentityMapper mapper) {
        CallerIdentity cached = context.get(CALLER_KEY);
        if (cached != null) {
            return cached;
        }
        if (!(context.user() instanceof QuarkusHttpUser user)) {
            throw missingToken();
        }
        SecurityIdentity identity = user.getSecurityIdentity();
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw missingToken();
        }
        CallerIdentity caller = mapper.map(claims(context, jwt));
        if (!isUsableId(caller.issuer()) || !isUsableId(caller.subject())) {
            // Sessions and records are keyed by issuer and subject, so both must be real ids.
            LOG.warnf("Bearer token rejected: reason=invalid_claims issuer=%s (sub is empty, blank or has control"
                    + " characters)", ModelsHandler.abbreviate(String.valueOf(caller.issuer())));
            throw new GatewayException(ErrorCode.UNAUTHENTICATED);
        }
        context.put(CALLER_KEY, caller);
        return caller;
    }

    /** Counts a request without a token; not logged, since health checkers and scanners send many. */
    private static GatewayException missingToken() {
        Metrics.counter("portcullis.authentication.failures", "reason", "missing").increment();
        return new GatewayException(ErrorCode.TOKEN_MISSING);
    }

    private static boolean isUsableId(String value) {
        return value != null && !value.isBlank() && value.chars().noneMatch(Character::isISOControl);
    }

    /**
     * Returns the claims that the bearer mechanism parsed and verified, or decodes the payload of
     * the verified token when another mechanism authenticated the request.
     */
    private static JsonObject claims(RoutingContext context, JsonWebToken jwt) {
        JsonObject verified = context.get(ScreenedBearerAuthenticationMechanism.VERIFIED_CLAIMS);
        if (verified != null) {
            return verified;
        }
        String[] parts = jwt.getRawToken().split("\\.");
        return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }
}
