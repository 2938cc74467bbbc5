package io.portcullis.inspection.detect;

import java.util.List;

/**
 * The result of {@link Detector#scan}: the findings of a text and the index from which more
 * text could still change them.
 *
 * @param findings the findings, as {@link Detector#detect} returns them
 * @param holdFrom the index from which the text must be held back, as {@link Detector#holdFrom}
 *                 returns it
 */
public record Scan(List<Finding> findings, int holdFrom) {

    public Scan {
        findings = List.copyOf(findings);
    }

    /** Returns the findings that start before {@link #holdFrom()}: they are final. */
    public List<Finding> finalFindings() {
        return findings.stream().filter(finding -> finding.start() < holdFrom).toList();
    }
}
