package io.portcullis.masking;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.TreeMap;

/**
 * Masking of one request's answer, as the policy decided it: a non-streamed body at once, or
 * a stream through {@link #forStream()}. Pseudonyms first seen in the answer are numbered in
 * memory; {@link MaskingStage#saveAnswerPseudonyms} stores them after the exchange.
 */
public final class AnswerMasking {

    private final TextMasker masker;
    private final int maxHold;

    AnswerMasking(TextMasker masker, int maxHold) {
        this.masker = masker;
        this.maxHold = maxHold;
    }

    /**
     * Masks the messages of a non-streamed chat completion in place and removes their log
     * probabilities.
     */
    public void maskBody(JsonObject completion) {
        if (!(completion.getValue("choices") instanceof JsonArray choices)) {
            return;
        }
        for (Object item : choices) {
            if (item instanceof JsonObject choice) {
                if (choice.getValue("message") instanceof JsonObject message) {
                    MessageTexts.rewrite(message, masker::mask);
                }
                if (choice.getValue("logprobs") != null) {
                    choice.putNull("logprobs");
                }
            }
        }
    }

    /** Returns a new masker for the chunks of a streamed answer. */
    public AnswerStreamMasker forStream() {
        return new AnswerStreamMasker(masker, maxHold);
    }

    /** Returns how many entities of each type were masked in the answer so far. */
    public TreeMap<String, Integer> maskedCounts() {
        return masker.maskedCounts();
    }
}
