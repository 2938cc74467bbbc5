package io.portcullis.inspection.detect;

import io.portcullis.inspection.RequestTexts;
import io.portcullis.api.ChatRequest;
import io.portcullis.inspection.Findings;
import io.portcullis.inspection.FindingsDetector;
import io.quarkus.runtime.Startup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the built-in detectors over every text of a chat request and counts the entity types:
 * the string content and text parts of messages of every role (tool results included), the
 * arguments of the assistant's tool calls and of the legacy {@code function_call}.
 *
 * <p>NOTE: detection runs on the event loop. Prose costs a few milliseconds per MiB, but text
 * dense with entities costs seconds per MiB, mostly in libphonenumber (bench/detection.sh), so
 * such a prompt near the body limit holds an event-loop thread that long.
 */
@Startup
@ApplicationScoped
public class DetectingFindings implements FindingsDetector {

    /** Built-in and configured detectors; the detectors from OPA data are added to them. */
    private final List<Detector> fixedDetectors;
    private final double minConfidence;
    private final int maxHoldBack;
    private final AtomicReference<CompositeDetector> detector;

    /** Creates the detectors at boot, so that an invalid configuration stops the boot with its key. */
    @Inject
    public DetectingFindings(DetectionConfig config, CustomEntityConfig customConfig) {
        this(fixedDetectors(config, customConfig), checkedMinConfidence(config), checkedMaxHoldBack(config));
    }

    DetectingFindings(CompositeDetector detector) {
        this(detector.detectors(), detector.minConfidence(), detector.maxHoldBack());
    }

    private DetectingFindings(List<Detector> fixedDetectors, double minConfidence, int maxHoldBack) {
        this.fixedDetectors = List.copyOf(fixedDetectors);
        this.minConfidence = minConfidence;
        this.maxHoldBack = maxHoldBack;
        this.detector = new AtomicReference<>(new CompositeDetector(fixedDetectors, minConfidence, maxHoldBack));
    }

    /**
     * Returns the detector that requests are scanned with now, for the masking of prompts and of
     * streamed answers: its {@link CompositeDetector#scan} gives the findings and the index from
     * which a stream holds text back, and {@link CompositeDetector#maxHoldBack()} the bound. The
     * instance changes when the custom entities in OPA data change, so a stream should take it
     * once and keep it, so that all its chunks are judged alike.
     */
    public CompositeDetector detector() {
        return detector.get();
    }

    /** Replaces the detectors of custom entities from OPA data; the built-in and configured ones stay. */
    void useOpaDetectors(List<Detector> opaDetectors) {
        List<Detector> all = new ArrayList<>(fixedDetectors);
        all.addAll(opaDetectors);
        detector.set(new CompositeDetector(all, minConfidence, maxHoldBack));
    }

    private static double checkedMinConfidence(DetectionConfig config) {
        double minConfidence = config.minConfidence();
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("Invalid portcullis.inspection.min-confidence=" + minConfidence
                    + ": expected a number from 0 to 1, such as 0.5");
        }
        return minConfidence;
    }

    private static int checkedMaxHoldBack(DetectionConfig config) {
        if (config.maxHoldBack() < 1) {
            throw new IllegalArgumentException("Invalid portcullis.inspection.max-hold-back=" + config.maxHoldBack()
                    + ": expected a number of characters of at least 1, such as 8192");
        }
        return config.maxHoldBack();
    }

    private static List<Detector> fixedDetectors(DetectionConfig config, CustomEntityConfig customConfig) {
        List<Detector> detectors;
        try {
            detectors = new ArrayList<>(CompositeDetector.builtInDetectors(config.phoneRegion()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid portcullis.inspection.phone-region=" + config.phoneRegion()
                    + ": " + e.getMessage(), e);
        }
        detectors.addAll(CustomEntities.fromConfig(customConfig));
        return detectors;
    }

    @Override
    public Findings detect(ChatRequest request) {
        return scan(request).findings();
    }

    /**
     * Runs the detectors over every text of the request once, a text that occurs several times
     * included, and counts each occurrence's findings.
     */
    public ScannedPrompt scan(ChatRequest request) {
        CompositeDetector current = detector();
        TreeMap<String, Integer> counts = new TreeMap<>();
        Map<String, List<Finding>> findingsByText = new HashMap<>();
        for (String text : texts(request.json())) {
            List<Finding> found = findingsByText.get(text);
            if (found == null) {
                found = List.copyOf(current.detect(text));
                findingsByText.put(text, found);
            }
            for (Finding finding : found) {
                counts.merge(finding.type(), 1, Integer::sum);
            }
        }
        return new ScannedPrompt(current, findingsByText, Findings.of(counts));
    }

    /** Returns the texts of the request that a detector reads: every name and string of the body. */
    static List<String> texts(JsonObject body) {
        return RequestTexts.forDetection(body);
    }
}
