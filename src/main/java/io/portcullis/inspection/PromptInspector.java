package io.portcullis.inspection;

import io.portcullis.api.ChatRequest;
import io.portcullis.inspection.detect.DetectingFindings;
import io.portcullis.inspection.detect.ScannedPrompt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Inspects a chat request: summarises it for the policy and runs every
 * {@link FindingsDetector} bean over its prompt.
 */
@ApplicationScoped
public class PromptInspector {

    /** Characters per token assumed by the prompt size estimate, a common rule of thumb for English text. */
    static final int CHARACTERS_PER_TOKEN = 4;

    private final List<FindingsDetector> detectors;

    @Inject
    public PromptInspector(@Any Instance<FindingsDetector> detectors) {
        this(detectors.stream().toList());
    }

    PromptInspector(List<FindingsDetector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    public Inspection inspect(ChatRequest request) {
        Findings findings = Findings.none();
        ScannedPrompt scanned = null;
        for (FindingsDetector detector : detectors) {
            if (detector instanceof DetectingFindings builtIn) {
                // Kept for the masking of this prompt, which then does not scan it again.
                scanned = builtIn.scan(request);
                findings = findings.plus(scanned.findings());
            } else {
                findings = findings.plus(detector.detect(request));
            }
        }
        return new Inspection(summarize(request), findings, scanned);
    }

    static RequestSummary summarize(ChatRequest request) {
        return new RequestSummary(RequestSummary.CHAT_COMPLETIONS, request.model(), request.stream(),
                request.maxTokens(), request.choices(), toolNames(request), request.messageCount(),
                estimateTokens(request.json()));
    }

    /** The function tools' names, then the names of the legacy {@code functions} that have one. */
    private static List<String> toolNames(ChatRequest request) {
        List<String> names = new ArrayList<>(request.toolNames());
        if (request.json().getValue("functions") instanceof JsonArray functions) {
            for (Object function : functions) {
                if (function instanceof JsonObject object && object.getValue("name") instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * Estimates the prompt's tokens from the characters of every prompt string the upstream
     * receives ({@link RequestTexts#promptCharacters}), divided by {@link #CHARACTERS_PER_TOKEN}
     * and rounded up. Images and audio are not counted.
     */
    static long estimateTokens(JsonObject body) {
        long characters = RequestTexts.promptCharacters(body);
        return (characters + CHARACTERS_PER_TOKEN - 1) / CHARACTERS_PER_TOKEN;
    }
}
