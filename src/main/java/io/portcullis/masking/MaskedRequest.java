package io.portcullis.masking;

import io.portcullis.api.ChatRequest;

import java.util.TreeMap;

/**
 * A request after the masking stage.
 *
 * @param request       the request to forward: the caller's, or a copy with masked prompt texts
 * @param answer        masking of the answer, or null when the answer passes unchanged
 * @param pseudonyms    the session's pseudonyms, or null when the decision needs none
 * @param promptCounts  how many entities of each type were masked in the prompt
 */
public record MaskedRequest(ChatRequest request, AnswerMasking answer, Pseudonyms pseudonyms,
        TreeMap<String, Integer> promptCounts) {
}
