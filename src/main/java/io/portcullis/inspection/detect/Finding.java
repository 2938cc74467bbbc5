package io.portcullis.inspection.detect;

/**
 * One sensitive entity found in a text. Offsets are {@link String} indices (UTF-16 code units),
 * start inclusive and end exclusive. A finding stores no value: callers that need it take
 * {@code text.substring(start, end)}.
 *
 * @param type       entity type, one of {@link EntityTypes}
 * @param start      index of the first character
 * @param end        index after the last character
 * @param confidence from 0 to 1: how sure the detector is that the span is this type
 */
public record Finding(String type, int start, int end, double confidence) {

    public Finding {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("Invalid span [" + start + ", " + end + ") of " + type);
        }
        if (confidence < 0 || confidence > 1) {
            throw new IllegalArgumentException("Invalid confidence " + confidence + " of " + type + ": expected 0 to 1");
        }
    }

    /** Returns true when this span and the given one share at least one character. */
    public boolean overlaps(int otherStart, int otherEnd) {
        return start < otherEnd && otherStart < end;
    }

    int length() {
        return end - start;
    }
}
