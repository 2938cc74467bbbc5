package io.portcullis.inspection.detect;

import java.util.List;

/** Helpers that locate the tail of a text that appended text could still change. */
final class Tails {

    /** A predicate on one UTF-16 code unit. */
    @FunctionalInterface
    interface CharClass {
        boolean contains(char c);
    }

    private Tails() {
    }

    /** Returns the start of the longest suffix of the text whose characters all belong to the class. */
    static int runStart(String text, CharClass chars) {
        return runStartBefore(text, text.length(), chars);
    }

    /** Returns the start of the longest run of class characters that ends at {@code end} (exclusive). */
    static int runStartBefore(String text, int end, CharClass chars) {
        int start = end;
        while (start > 0 && chars.contains(text.charAt(start - 1))) {
            start--;
        }
        return start;
    }

    /**
     * Returns the start of the trailing run of class characters, but not before
     * {@code text.length() - window}. It fits detectors whose matches consist of class
     * characters only and read at most {@code window} characters from where they start, so that
     * an attempt starting before the result reads no character past the end of the text.
     */
    static int runStart(String text, CharClass chars, int window) {
        return Math.max(runStart(text, chars), text.length() - window);
    }

    /**
     * Returns the index of the first character at or after {@code from} that belongs to the
     * class, or the length of the text. A match attempt at a character that no match starts
     * with fails at once, so skipping such characters keeps the tail correct.
     */
    static int firstOf(String text, int from, CharClass chars) {
        int index = from;
        while (index < text.length() && !chars.contains(text.charAt(index))) {
            index++;
        }
        return index;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Moves {@code index} before every finding that starts before it and ends after it, and
     * returns the result. The findings must be final before {@code index}.
     */
    static int before(int index, List<Finding> findings) {
        int result = index;
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Finding finding : findings) {
                if (finding.start() < result && finding.end() > result) {
                    result = finding.start();
                    moved = true;
                }
            }
        }
        return result;
    }

    static boolean isAsciiAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
