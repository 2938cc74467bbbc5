package io.portcullis.inspection.detect;

import java.util.List;

/**
 * A detector that knows where appended text could change its matching. It implements
 * {@link #holdFrom} by moving that index before any finding that spans it.
 */
interface OpenTailDetector extends Detector {

    /**
     * Returns the index from which appended text could change what the detector finds. Every
     * finding that starts before it is final, but may still end after it.
     */
    int openFrom(String text);

    @Override
    default int holdFrom(String text) {
        return scan(text).holdFrom();
    }

    @Override
    default Scan scan(String text) {
        List<Finding> findings = detect(text);
        return new Scan(findings, Tails.before(openFrom(text), findings));
    }
}
