package io.portcullis.toolcall;

import io.portcullis.inspection.detect.DetectingFindings;
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
 * <p>NOTE: this redacts every detected type, whatever the policy's {@code mask} says, because
 * approvers and the tool-call policy see no more than types; the arguments that reach the agent
 * are masked by the masking stage as the policy decides.
 */
@ApplicationScoped
public class ArgumentMasker {

    private final DetectingFindings detection;

    @Inject
    public ArgumentMasker(DetectingFindings detection) {
        this.detection = detection;
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
        // The detector is read per text, because custom entities from OPA data replace it at run time.
        List<Finding> findings = detection.detector().detect(text).stream()
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
