package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the parts of a text where a built-in detector could find an entity, in one pass over its
 * characters, so that the detectors skip ordinary prose. A word (a run of characters between
 * whitespace) is a trigger when it contains a character other than a letter or sentence
 * punctuation, such as a digit, {@code @}, {@code :}, {@code =}, {@code /}, {@code _} or
 * {@code -}, or when it is {@link #LONG_WORD} characters or longer. Every built-in entity
 * contains such a word: numbers and addresses contain digits or {@code @}, keys and tokens are
 * long or contain digits or {@code _}, and assignments and connection strings contain
 * {@code =} or {@code :}.
 *
 * <p>Each trigger word is widened by {@link #MARGIN} characters on both sides, for context words
 * and for entities that span several words (phone numbers, {@code Data Source=...}), and then
 * to whitespace, so that look-behind and look-ahead see the same characters in the part as in
 * the whole text. Parts that overlap or touch are merged.
 *
 * <p>NOTE: an ADO.NET-style connection string whose keys are more than twice {@link #MARGIN}
 * characters of plain words apart is split into two parts and not found.
 */
final class Prefilter {

    /** Words this long are triggers: keys, tokens, Italian fiscal codes and JWTs have no space. */
    static final int LONG_WORD = 16;
    /** Characters kept around a trigger word: more than the 40 of the context-word window. */
    static final int MARGIN = 64;

    private Prefilter() {
    }

    /** Returns the parts as pairs of start (inclusive) and end (exclusive), in order and disjoint. */
    static List<int[]> parts(String text) {
        List<int[]> parts = new ArrayList<>();
        int length = text.length();
        int wordStart = 0;
        boolean trigger = false;
        int[] last = null;
        for (int i = 0; i <= length; i++) {
            char c = i < length ? text.charAt(i) : ' ';
            if (isWhitespace(c)) {
                if (i > wordStart && (trigger || i - wordStart >= LONG_WORD)) {
                    int start = widenLeft(text, Math.max(0, wordStart - MARGIN));
                    int end = widenRight(text, Math.min(length, i + MARGIN));
                    if (last != null && start <= last[1]) {
                        last[1] = Math.max(last[1], end);
                    } else {
                        last = new int[] {start, end};
                        parts.add(last);
                    }
                }
                wordStart = i + 1;
                trigger = false;
            } else if (!trigger && !isPlain(c)) {
                trigger = true;
            }
        }
        return parts;
    }

    private static boolean isPlain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == ',' || c == ';' || c == '!'
                || c == '?' || c == '\'' || c == '"' || c == '(' || c == ')'
                || c >= 0x80 && Character.isLetter(c) && !Character.isDigit(c);
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\u000B';
    }

    /** Moves the start left until the character before it is whitespace. */
    private static int widenLeft(String text, int start) {
        int index = start;
        while (index > 0 && !isWhitespace(text.charAt(index - 1))) {
            index--;
        }
        return index;
    }

    /** Moves the end right until the character at it is whitespace. */
    private static int widenRight(String text, int end) {
        int index = end;
        while (index < text.length() && !isWhitespace(text.charAt(index))) {
            index++;
        }
        return index;
    }
}
