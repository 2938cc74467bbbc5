package io.portcullis.inspection;

import java.util.Map;

/** The plain implementation of {@link Findings}; {@link Findings#of} sorts and copies the counts. */
record FindingCounts(Map<String, Integer> counts) implements Findings {
}
