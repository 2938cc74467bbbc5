package io.portcullis.inspection.detect;

import java.util.List;
import java.util.Random;

/** Deterministic texts for the detection benchmark. */
final class DetectionTexts {

    /** Words of ordinary English prose, none of them an entity or a context word. */
    private static final List<String> WORDS = List.of("the", "model", "returns", "a", "summary", "of", "each",
            "quarter", "and", "explains", "why", "revenue", "grew", "while", "costs", "stayed", "flat", "in", "most",
            "regions", "we", "should", "review", "these", "results", "with", "team", "before", "next", "meeting",
            "please", "write", "short", "answer", "about", "weather", "today", "because", "reader", "prefers",
            "clear", "sentences", "without", "jargon", "or", "long", "lists", "that", "is", "why", "this", "report");

    /** Entities of every built-in type, as they appear in prompts. */
    private static final List<String> ENTITIES = List.of("jane.doe@example.com", "(415) 555-0132",
            "+44 20 7123 4567", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "078-05-1123", "192.0.2.10",
            "2001:db8::1", "AKIAJ3ZQ6VW5UXNPLR2T", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "postgres://app:s3cretPw@db.internal:5432/app", "password = \"Xk9#mQ2$vL7p\"",
            "Bearer 8f14e45fceea167a5a36dedd4bea2543", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "X9613851N");

    private DetectionTexts() {
    }

    /** Returns prose of about {@code length} characters without any entity. */
    static String prose(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length + 32);
        int sentence = 0;
        while (text.length() < length) {
            String word = WORDS.get(random.nextInt(WORDS.size()));
            text.append(sentence == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
            sentence++;
            if (sentence > 8 && random.nextInt(6) == 0) {
                text.append(random.nextInt(3) == 0 ? ".\n" : ". ");
                sentence = 0;
            } else {
                text.append(random.nextInt(10) == 0 ? ", " : " ");
            }
        }
        return text.substring(0, length);
    }

    /** Returns text of about {@code length} characters with an entity every few words. */
    static String densePii(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length + 128);
        while (text.length() < length) {
            text.append(prose(20 + random.nextInt(40), random.nextLong())).append(' ');
            text.append(ENTITIES.get(random.nextInt(ENTITIES.size()))).append(random.nextInt(4) == 0 ? ".\n" : " ");
        }
        return text.substring(0, length);
    }
}
