package io.portcullis.inspection.detect;

import io.portcullis.inspection.Findings;

import java.util.List;
import java.util.Map;

/**
 * Findings of one request's inspection: the counts for the policy, and the findings of each
 * prompt text, so that masking the prompt does not run the detectors over the same texts again.
 * As a {@link Detector} it returns the stored findings for a text it has seen and runs the
 * inspection's detector on any other text, so the prompt is masked by the same detectors that
 * the policy's findings came from.
 */
public final class ScannedPrompt implements Detector {

    private final CompositeDetector detector;
    private final Map<String, List<Finding>> findingsByText;
    private final Findings findings;

    ScannedPrompt(CompositeDetector detector, Map<String, List<Finding>> findingsByText, Findings findings) {
        this.detector = detector;
        this.findingsByText = Map.copyOf(findingsByText);
        this.findings = findings;
    }

    /** Returns the entity types found in the prompt with their counts. */
    public Findings findings() {
        return findings;
    }

    /** Returns the detector the prompt was scanned with. */
    public CompositeDetector detector() {
        return detector;
    }

    /** Returns the findings of a text that the inspection scanned, or null for a text it did not see. */
    public List<Finding> seen(String text) {
        return findingsByText.get(text);
    }

    @Override
    public List<Finding> detect(String text) {
        List<Finding> found = findingsByText.get(text);
        return found != null ? found : detector.detect(text);
    }

    @Override
    public int holdFrom(String text) {
        return detector.holdFrom(text);
    }

    @Override
    public Scan scan(String text) {
        return detector.scan(text);
    }
}
