package io.portcullis.approval;

import java.util.Locale;

/** The kind of content an approval holds back. */
public enum ApprovalKind {
    /** A chat completion request, before it reaches the model. */
    REQUEST,
    /** A tool call that the model emitted, before the agent receives it. */
    TOOL_CALL;

    /** Returns the value stored in the database and shown in the API, such as {@code tool_call}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ApprovalKind of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
