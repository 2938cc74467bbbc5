package io.portcullis.policy;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.inspection.Findings;
import io.portcullis.inspection.RequestSummary;
import io.portcullis.session.BoundSession;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;

/**
 * The input of a request decision, version {@value #VERSION}, as docs/policy.md describes it.
 * It carries no prompt text and no token.
 *
 * @param session the bound session, or null for a model listing, which binds none
 */
public record PolicyInput(
        CallerIdentity identity,
        RequestSummary request,
        Findings findings,
        BoundSession session,
        Source source,
        Instant time) {

    public static final String VERSION = "portcullis.policy.input/v1";
    /** RFC 3339 in UTC with milliseconds, such as {@code 2026-12-04T17:25:03.120Z}. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    public JsonObject toJson() {
        return new JsonObject()
                .put("version", VERSION)
                .put("identity", identityJson(identity))
                .put("request", requestJson(request))
                .put("findings", new JsonObject(new LinkedHashMap<>(findings.counts())))
                .put("session", session == null ? null
                        : new JsonObject().put("id", session.id()).put("turn", session.turn()))
                .put("source", new JsonObject().put("address", source.address()).put("user_agent", source.userAgent()))
                .put("time", TIME.format(time));
    }

    static JsonObject identityJson(CallerIdentity identity) {
        return new JsonObject()
                .put("issuer", identity.issuer())
                .put("subject", identity.subject())
                .put("username", identity.username())
                .put("email", identity.email())
                .put("groups", new JsonArray(identity.groups()))
                .put("roles", new JsonArray(identity.roles()))
                .put("client_id", identity.clientId())
                .put("agent", identity.agent())
                .put("purpose", identity.purpose())
                .put("actor", actorJson(identity.actor()))
                .put("expires_at", identity.expiresAt() == null ? null
                        : identity.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    private static JsonObject actorJson(CallerIdentity.Actor actor) {
        if (actor == null) {
            return null;
        }
        return new JsonObject()
                .put("subject", actor.subject())
                .put("client_id", actor.clientId())
                .put("actor", actorJson(actor.actor()));
    }

    /** Builds the request member. A model listing has {@code api} only. */
    private static JsonObject requestJson(RequestSummary request) {
        JsonObject json = new JsonObject().put("api", request.api());
        if (request.isModelsList()) {
            return json;
        }
        return json.put("model", request.model())
                .put("stream", request.stream())
                .put("max_tokens", request.maxTokens())
                .put("n", request.choices())
                .put("tools", new JsonArray(request.tools()))
                .put("message_count", request.messageCount())
                .put("estimated_prompt_tokens", request.estimatedPromptTokens());
    }
}
