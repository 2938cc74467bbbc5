package io.portcullis.masking;

import java.util.regex.Pattern;

/**
 * The text that replaces a masked entity: {@code [EMAIL_ADDRESS]} when redacting, and
 * {@code <EMAIL_ADDRESS_1>} when pseudonymizing, numbered per type from 1 within a session.
 */
public final class Placeholders {

    /** Entity type names that placeholders can carry: upper-case letters, digits and underscores. */
    static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    /** A pseudonym placeholder, as the model may repeat it in an answer. */
    static final Pattern PSEUDONYM = Pattern.compile("<([A-Z][A-Z0-9_]{0,63})_([1-9][0-9]{0,8})>");
    /** Length of the longest placeholder that {@link #PSEUDONYM} matches. */
    static final int MAX_PSEUDONYM_LENGTH = 1 + 64 + 1 + 9 + 1;

    private Placeholders() {
    }

    /** Returns the redaction text for an entity type, such as {@code [EMAIL_ADDRESS]}. */
    public static String redaction(String type) {
        return "[" + type + "]";
    }

    /** Returns the pseudonym placeholder of the given type and ordinal, such as {@code <EMAIL_ADDRESS_1>}. */
    public static String pseudonym(String type, int ordinal) {
        return "<" + type + "_" + ordinal + ">";
    }

    /**
     * Returns the index of a {@code <} from which the end of the text could still grow into a
     * pseudonym placeholder, or the text's length when none could.
     */
    static int partialPseudonymStart(String text) {
        int from = Math.max(0, text.length() - MAX_PSEUDONYM_LENGTH);
        int open = text.lastIndexOf('<');
        if (open < from) {
            return text.length();
        }
        // Only "<", upper-case letters, digits and underscores may follow, with no closing '>'.
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (!allowed || (i == open + 1 && !(c >= 'A' && c <= 'Z'))) {
                return text.length();
            }
        }
        return open;
    }
}
