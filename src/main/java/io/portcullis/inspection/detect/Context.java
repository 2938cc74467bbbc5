package io.portcullis.inspection.detect;

import java.util.List;
import java.util.Locale;

/** Context words that raise a finding's confidence when they precede it. */
final class Context {

    /** Characters before an entity searched for context words. */
    static final int WINDOW = 40;

    private Context() {
    }

    /** Returns true when one of the words (lower case) occurs in the window before {@code start}. */
    static boolean precededBy(String text, int start, List<String> words) {
        String before = text.substring(Math.max(0, start - WINDOW), start).toLowerCase(Locale.ROOT);
        for (String word : words) {
            if (before.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns true when one of the words (lower case) occurs as a whole word in the window before
     * {@code start}, so that "sin" does not match inside "using".
     */
    static boolean precededByWord(String text, int start, List<String> words) {
        String before = text.substring(Math.max(0, start - WINDOW), start).toLowerCase(Locale.ROOT);
        for (String word : words) {
            int index = before.indexOf(word);
            while (index >= 0) {
                int end = index + word.length();
                if (isBoundary(before, index - 1) && isBoundary(before, end)) {
                    return true;
                }
                index = before.indexOf(word, index + 1);
            }
        }
        return false;
    }

    /** Returns true when the character at {@code index} is outside the text or not a letter or digit. */
    static boolean isBoundary(String text, int index) {
        return index < 0 || index >= text.length() || !Character.isLetterOrDigit(text.charAt(index));
    }
}
