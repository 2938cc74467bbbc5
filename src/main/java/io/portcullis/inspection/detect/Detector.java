package io.portcullis.inspection.detect;

import java.util.List;

/**
 * Finds entities of one kind in a text. Implementations are stateless and thread-safe, and must
 * not block, because they run on the event loop. Context words may raise a finding's
 * confidence only when they precede the entity, so that a text read as a stream is judged the
 * same way as the whole text.
 */
public interface Detector {

    /** Finds the entities in the text, in any order; overlapping findings are allowed. */
    List<Finding> detect(String text);

    /**
     * Returns the index from which the end of the text could still become part of an entity if
     * more text were appended; everything before it is final. For every string {@code s}, the
     * findings of {@code detect(text + s)} that start before {@code holdFrom(text)} equal those of
     * {@code detect(text)} that start there, and none of them ends after it.
     *
     * <p>This default holds back the trailing run of non-blank characters, joined to earlier
     * runs across single blanks after a digit (phone, card and account numbers are written in
     * groups), from an unterminated {@code -----BEGIN} line, and from the start of any finding
     * that reaches into that tail.
     */
    default int holdFrom(String text) {
        int hold = text.length();
        while (hold > 0 && !Character.isWhitespace(text.charAt(hold - 1))) {
            hold--;
        }
        while (hold >= 2 && text.charAt(hold - 1) == ' ' && isGroupEnd(text.charAt(hold - 2))) {
            hold--;
            while (hold > 0 && !Character.isWhitespace(text.charAt(hold - 1))) {
                hold--;
            }
        }
        int begin = text.lastIndexOf("-----BEGIN");
        if (begin >= 0 && text.indexOf("-----END", begin) < 0) {
            hold = Math.min(hold, begin);
        }
        for (Finding finding : detect(text)) {
            if (finding.end() > hold || finding.end() == text.length()) {
                hold = Math.min(hold, finding.start());
            }
        }
        return hold;
    }

    private static boolean isGroupEnd(char c) {
        return (c >= '0' && c <= '9') || c == ')' || c == '(' || c == '+' || c == '-' || c == '.';
    }
}
