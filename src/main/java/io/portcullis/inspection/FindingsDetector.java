package io.portcullis.inspection;

import io.portcullis.api.ChatRequest;

/**
 * Service provider interface for detectors of sensitive entities (personal data, secrets) in a
 * prompt. Every CDI bean that implements it runs on every chat request, and
 * {@link PromptInspector} adds up their counts. With no detector bean, a request has no
 * findings.
 *
 * <p>A detector runs on the event loop, so it must not block, and it must return counts only:
 * the values it finds never leave it.
 */
public interface FindingsDetector {

    /** Detects entities in the text of the request's messages. */
    Findings detect(ChatRequest request);
}
