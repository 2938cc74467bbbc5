package io.portcullis.inspection;

import io.portcullis.inspection.detect.ScannedPrompt;

/**
 * The result of inspecting one request: its summary, the entities found in its prompt, and the
 * built-in detectors' findings per text for masking that prompt, or null when those detectors did
 * not run.
 */
public record Inspection(RequestSummary summary, Findings findings, ScannedPrompt scanned) {
}
