package io.portcullis.toolcall;

/**
 * The outcome of the check of one tool call.
 *
 * @param allowed     true to pass the call to the caller unchanged
 * @param explanation why it was removed, shown to the caller; null when allowed
 */
record Verdict(boolean allowed, String explanation) {

    static final Verdict ALLOWED = new Verdict(true, null);

    static Verdict removed(ToolCall call, String why) {
        return new Verdict(false, "[Portcullis] The tool call " + call.name() + " was removed: " + why);
    }
}
