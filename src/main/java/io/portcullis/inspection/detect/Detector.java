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
     * Returns the index from which more text could still change what this detector finds, so
     * that a stream can release everything before it. For every string {@code s}, the findings
     * of {@code detect(text + s)} that start before {@code holdFrom(text)} are exactly the
     * findings of {@code detect(text)} that start before it, and none of them ends after it.
     * The tail from the returned index, which could still become part of an entity, is as
     * short as the detector can tell: in prose without entities it is at most the last word.
     * Entities without a natural end (key blocks, JWTs, long URLs) can make it long.
     *
     * @return an index from 0 to {@code text.length()}
     */
    int holdFrom(String text);

    /**
     * Finds the entities and computes {@link #holdFrom} in one call. Implementations override it
     * when both share work; the result equals {@code new Scan(detect(text), holdFrom(text))}.
     */
    default Scan scan(String text) {
        return new Scan(detect(text), holdFrom(text));
    }
}
