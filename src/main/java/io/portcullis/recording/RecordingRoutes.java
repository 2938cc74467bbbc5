package io.portcullis.recording;

import io.portcullis.api.Callers;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;
import java.util.function.Consumer;

/**
 * The replay API: a caller's sessions, one session's timeline, the verification of its hash
 * chain, and a recorded response streamed again with its timing.
 */
@ApplicationScoped
public class RecordingRoutes {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final double MAX_SPEED = 1000;

    private final Vertx vertx;
    private final IdentityMapper identityMapper;
    private final SessionQueries queries;

    @Inject
    public RecordingRoutes(Vertx vertx, IdentityMapper identityMapper, SessionQueries queries) {
        this.vertx = vertx;
        this.identityMapper = identityMapper;
        this.queries = queries;
    }

    void register(@Observes Router router) {
        router.get("/v1/sessions").handler(this::list);
        router.get("/v1/sessions/:session").handler(this::timeline);
        router.get("/v1/sessions/:session/verify").handler(this::verify);
        router.get("/v1/sessions/:session/events/:event/replay").handler(this::replay);
    }

    private void list(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        int limit = intParameter(context, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        queries.list(caller, limit).subscribe().with(sessions -> {
            JsonArray data = new JsonArray();
            sessions.forEach(session -> data.add(RecordingJson.session(session)));
            sendJson(context, new JsonObject().put("object", "list").put("data", data));
        }, context::fail);
    }

    private void timeline(RoutingContext context) {
        withTimeline(context, timeline -> sendJson(context, RecordingJson.timeline(timeline)));
    }

    private void verify(RoutingContext context) {
        withTimeline(context, timeline -> {
            ChainVerifier.Mismatch mismatch = ChainVerifier.verify(timeline.session(), timeline.events());
            sendJson(context, new JsonObject()
                    .put("session_id", timeline.session().sessionId)
                    .put("valid", mismatch == null)
                    .put("event_count", timeline.events().size())
                    .put("first_invalid", mismatch == null ? null : mismatch.toJson()));
        });
    }

    private void replay(RoutingContext context) {
        double speed = speed(context);
        String eventId = context.pathParam("event");
        withTimeline(context, timeline -> {
            JsonArray chunks = recordedChunks(timeline.events(), eventId);
            new SseReplay(vertx, context.response(), chunks, speed).start();
        });
    }

    /** Returns the chunks of a recorded streamed response, or fails with 404 when there are none to replay. */
    private static JsonArray recordedChunks(List<SessionEvent> events, String eventId) {
        for (SessionEvent event : events) {
            if (event.eventId.toString().equals(eventId)) {
                if (RecordingJson.parseData(event.data) instanceof JsonObject data
                        && data.getValue("response") instanceof JsonObject response
                        && response.getValue("chunks") instanceof JsonArray chunks && !chunks.isEmpty()) {
                    return chunks;
                }
                throw new GatewayException(ErrorCode.EVENT_NOT_FOUND, "Event " + eventId + " has no recorded stream"
                        + " to replay: it is not a streamed response, or the policy asked for metadata recording.");
            }
        }
        throw new GatewayException(ErrorCode.EVENT_NOT_FOUND);
    }

    private void withTimeline(RoutingContext context, Consumer<SessionQueries.Timeline> then) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        queries.timeline(caller, context.pathParam("session")).subscribe().with(timeline -> {
            if (timeline == null) {
                context.fail(new GatewayException(ErrorCode.SESSION_NOT_FOUND));
                return;
            }
            try {
                then.accept(timeline);
            } catch (GatewayException e) {
                context.fail(e);
            }
        }, context::fail);
    }

    private static double speed(RoutingContext context) {
        String value = context.queryParams().get("speed");
        if (value == null) {
            return 1;
        }
        try {
            double speed = Double.parseDouble(value);
            if (speed > 0 && speed <= MAX_SPEED) {
                return speed;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new GatewayException(ErrorCode.INVALID_REQUEST, "Invalid speed '" + abbreviate(value)
                + "': send a number above 0 and up to " + (int) MAX_SPEED + ", such as 2 to replay twice as fast.",
                "speed");
    }

    private static int intParameter(RoutingContext context, String name, int defaultValue, int max) {
        String value = context.queryParams().get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new GatewayException(ErrorCode.INVALID_REQUEST, "Invalid " + name + " '" + abbreviate(value)
                + "': send a whole number from 1 to " + max + ".", name);
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }

    private static void sendJson(RoutingContext context, JsonObject body) {
        context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
    }
}
