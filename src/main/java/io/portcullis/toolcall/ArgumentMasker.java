package io.portcullis.toolcall;

import io.portcullis.inspection.detect.CompositeDetector;
import io.portcullis.inspection.detect.DetectionConfig;
import io.portcullis.inspection.detect.Detector;
import io.portcullis.inspection.detect.Finding;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Replaces the personal data and secrets that the prompt detectors find in tool-call arguments
 * with {@code [TYPE]}, before the arguments go to the policy and to approvers.
 *
 * <p>NOTE: this redacts every detected type. The masking stage, once built, decides per policy
 * which types to mask and how; the arguments that reach the agent are not changed here.
 */
@ApplicationScoped
public class ArgumentMasker {

    private final Detector detector;

    @Inject
    public ArgumentMasker(DetectionConfig config) {
        this.detector = CompositeDetector.allDetectors(config.phoneRegion(), config.minConfidence());
    }

    /** Returns a masked copy of a JSON value: strings are masked, objects and arrays copied. */
    public Object mask(Object value) {
        if (value instanceof String text) {
            return maskText(text);
        }
        if (value instanceof JsonObject object) {
            JsonObject copy = new JsonObject();
            for (Map.Entry<String, Object> entry : object) {
                copy.put(entry.getKey(), mask(entry.getValue()));
            }
            return copy;
        }
        if (value instanceof JsonArray array) {
            JsonArray copy = new JsonArray();
            array.forEach(item -> copy.add(mask(item)));
            return copy;
        }
        return value;
    }

    private String maskText(String text) {
        List<Finding> findings = detector.detect(text).stream()
                .sorted(Comparator.comparingInt(Finding::start))
                .toList();
        StringBuilder masked = new StringBuilder(text.length());
        int position = 0;
        for (Finding finding : findings) {
            if (finding.start() < position) {
                continue;
            }
            masked.append(text, position, finding.start()).append('[').append(finding.type()).append(']');
            position = finding.end();
        }
        return masked.append(text.substring(position)).toString();
    }
}
