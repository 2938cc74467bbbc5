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
}
