package io.portcullis.recording;

/** The CloudEvents {@code type} of each session event; docs/events.md describes their data. */
public enum EventType {
    REQUEST_RECEIVED("io.portcullis.request.received"),
    DECISION_MADE("io.portcullis.decision.made"),
    UPSTREAM_STARTED("io.portcullis.upstream.started"),
    RESPONSE_COMPLETED("io.portcullis.response.completed"),
    REQUEST_FAILED("io.portcullis.request.failed"),
    SESSION_DELETED("io.portcullis.session.deleted");

    private final String cloudEventType;

    EventType(String cloudEventType) {
        this.cloudEventType = cloudEventType;
    }

    public String cloudEventType() {
        return cloudEventType;
    }
}
