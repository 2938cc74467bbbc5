package io.portcullis.inspection;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sensitive entities found in a prompt: each entity type, such as {@code EMAIL_ADDRESS}, with
 * the number of its occurrences. Findings never carry the values themselves, because they go
 * to the policy and into logs.
 */
public interface Findings {

    /** Entity type to number of occurrences, sorted by type; empty when nothing was found. */
    Map<String, Integer> counts();

    default boolean isEmpty() {
        return counts().isEmpty();
    }

    /** Returns the findings of a prompt in which nothing was found. */
    static Findings none() {
        return of(Map.of());
    }

    /**
     * Creates findings from counts. Types with a count of 0 are dropped.
     *
     * @throws IllegalArgumentException when a type is blank or a count is negative
     */
    static Findings of(Map<String, Integer> counts) {
        TreeMap<String, Integer> sorted = new TreeMap<>();
        counts.forEach((type, count) -> {
            if (type == null || type.isBlank() || count == null || count < 0) {
                throw new IllegalArgumentException("Invalid finding " + type + "=" + count
                        + ": the type must be a non-blank string and the count 0 or more");
            }
            if (count > 0) {
                sorted.put(type, count);
            }
        });
        return new FindingCounts(Collections.unmodifiableMap(sorted));
    }

    /** Adds the counts of two findings type by type. */
    default Findings plus(Findings other) {
        TreeMap<String, Integer> sum = new TreeMap<>(counts());
        other.counts().forEach((type, count) -> sum.merge(type, count, Math::addExact));
        return of(sum);
    }
}
