package io.portcullis.recording;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Renders the HTML fragments of the sessions page. Every value is escaped. */
final class SessionFragments {

    private SessionFragments() {
    }

    static String list(List<RecordedSession> sessions, boolean auditor) {
        if (sessions.isEmpty()) {
            return "<p>No recorded sessions" + (auditor ? "." : " of yours.") + "</p>";
        }
        StringBuilder html = new StringBuilder("<table id=\"session-list\"><thead><tr><th>Session</th><th>User</th>"
                + "<th>Events</th><th>Last activity</th></tr></thead><tbody>");
        for (RecordedSession session : sessions) {
            html.append("<tr><td><a href=\"#\" data-session=\"").append(escape(session.sessionId)).append("\">")
                    .append(escape(session.sessionId)).append("</a></td><td>")
                    .append(escape(session.username == null ? session.subject : session.username)).append("</td><td>")
                    .append(session.eventCount).append("</td><td>")
                    .append(escape(EventHashes.formatTime(session.lastEventAt.toInstant()))).append("</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    static String timeline(SessionQueries.Timeline timeline, ChainVerifier.Mismatch mismatch) {
        String sessionId = timeline.session().sessionId;
        StringBuilder html = new StringBuilder("<h2>Session ").append(escape(sessionId)).append("</h2>");
        if (mismatch == null) {
            html.append("<p id=\"chain\" class=\"valid\">Hash chain intact: ").append(timeline.events().size())
                    .append(" events.</p>");
        } else {
            html.append("<p id=\"chain\" class=\"invalid\">Hash chain broken at event ").append(mismatch.sequence())
                    .append(" (").append(escape(mismatch.reason())).append(").</p>");
        }
        html.append("<table id=\"events\"><thead><tr><th>#</th><th>Time</th><th>Type</th><th>Request</th>"
                + "<th>Summary</th><th></th></tr></thead><tbody>");
        for (SessionEvent event : timeline.events()) {
            html.append("<tr><td>").append(event.sequence).append("</td><td>")
                    .append(escape(EventHashes.formatTime(event.occurredAt.toInstant()))).append("</td><td>")
                    .append(escape(event.type)).append("</td><td>").append(escape(event.requestId)).append("</td><td>")
                    .append(escape(summary(event))).append("</td><td>");
            if (replayable(event)) {
                html.append("<button type=\"button\" data-session=\"").append(escape(sessionId))
                        .append("\" data-event=\"").append(escape(event.eventId.toString())).append("\">Replay</button>");
            }
            html.append("</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** Returns one line about an event: who requested what, the decision, or the outcome. */
    private static String summary(SessionEvent event) {
        if (!(RecordingJson.parseData(event.data) instanceof JsonObject data)) {
            return "data is not a JSON object";
        }
        if (data.getValue("identity") instanceof JsonObject identity && data.getValue("request") instanceof JsonObject request) {
            return identity.getString("username", identity.getString("subject")) + " asked " + request.getString("model");
        }
        if (data.containsKey("allow")) {
            return (data.getBoolean("allow") ? "allowed" : "denied") + ", decision " + data.getString("decision_id");
        }
        if (data.containsKey("upstream")) {
            return "sent to " + data.getString("upstream");
        }
        String outcome = data.getString("outcome", "completed");
        return outcome + ", HTTP " + data.getValue("status") + ", " + data.getValue("latency_ms") + " ms";
    }

    private static boolean replayable(SessionEvent event) {
        return RecordingJson.parseData(event.data) instanceof JsonObject data
                && data.getValue("response") instanceof JsonObject response
                && response.getValue("chunks") instanceof JsonArray chunks && !chunks.isEmpty();
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
