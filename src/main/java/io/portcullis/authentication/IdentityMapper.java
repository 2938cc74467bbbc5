package io.portcullis.authentication;

import io.portcullis.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Maps the claims of a verified token to a {@link CallerIdentity}, following the configured claim paths. */
@Singleton
public class IdentityMapper {

    /** Deepest delegation chain kept; deeper {@code act} nesting is cut off here. */
    private static final int MAX_ACTOR_DEPTH = 8;

    private final GatewayConfig.Identity config;

    @Inject
    public IdentityMapper(GatewayConfig config) {
        this(config.identity());
    }

    public IdentityMapper(GatewayConfig.Identity config) {
        this.config = config;
    }

    public CallerIdentity map(JsonObject claims) {
        String clientId = firstString(claims, config.clientIdClaims());
        Long exp = claims.getValue("exp") instanceof Number n ? n.longValue() : null;
        return new CallerIdentity(
                stringAt(claims, "iss"),
                stringAt(claims, "sub"),
                firstString(claims, config.usernameClaims()),
                stringAt(claims, config.emailClaim()),
                stringsAt(claims, config.groupsClaim()),
                roles(claims),
                clientId,
                valueAt(claims, config.agentClaim()) != null,
                stringAt(claims, config.purposeClaim()),
                actor(claims.getValue("act"), 0),
                exp == null ? null : Instant.ofEpochSecond(exp));
    }

    private List<String> roles(JsonObject claims) {
        Set<String> roles = new LinkedHashSet<>();
        for (String path : config.rolesClaims()) {
            roles.addAll(stringsAt(claims, path));
        }
        return List.copyOf(roles);
    }

    private CallerIdentity.Actor actor(Object act, int depth) {
        if (!(act instanceof JsonObject object) || depth >= MAX_ACTOR_DEPTH) {
            return null;
        }
        return new CallerIdentity.Actor(
                stringAt(object, "sub"),
                stringAt(object, "client_id"),
                actor(object.getValue("act"), depth + 1));
    }

    private static String firstString(JsonObject claims, List<String> paths) {
        for (String path : paths) {
            String value = stringAt(claims, path);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String stringAt(JsonObject claims, String path) {
        return valueAt(claims, path) instanceof String s && !s.isEmpty() ? s : null;
    }

    /** Reads a string array, or a single string as a one-element list; anything else is empty. */
    private static List<String> stringsAt(JsonObject claims, String path) {
        Object value = valueAt(claims, path);
        if (value instanceof String s) {
            return List.of(s);
        }
        List<String> strings = new ArrayList<>();
        if (value instanceof JsonArray array) {
            for (Object item : array) {
                if (item instanceof String s) {
                    strings.add(s);
                }
            }
        }
        return strings;
    }

    /** Follows a '/'-separated path of object members; returns null where it breaks off. */
    static Object valueAt(JsonObject claims, String path) {
        Object current = claims;
        for (String name : path.split("/")) {
            if (!(current instanceof JsonObject object)) {
                return null;
            }
            current = object.getValue(name);
        }
        return current;
    }
}
