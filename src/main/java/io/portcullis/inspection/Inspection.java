package io.portcullis.inspection;

/** The result of inspecting one request: its summary and the entities found in its prompt. */
public record Inspection(RequestSummary summary, Findings findings) {
}
