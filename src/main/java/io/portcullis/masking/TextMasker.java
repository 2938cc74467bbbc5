package io.portcullis.masking;

import io.portcullis.inspection.detect.Detector;
import io.portcullis.inspection.detect.Finding;
import io.portcullis.inspection.detect.Scan;
import io.portcullis.policy.PolicyDecision.MaskMode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Masks the entities of chosen types in a text, and, where the policy allows it, restores
 * the originals of the session's pseudonym placeholders. One instance serves one direction of
 * one request (the prompt or the answer), and counts what it masked.
 */
public final class TextMasker {

    /** Type of the internal finding that marks a placeholder to restore. */
    static final String PLACEHOLDER = "PORTCULLIS_PLACEHOLDER";

    private final Detector detector;
    private final Set<String> types;
    private final MaskMode mode;
    private final Pseudonyms pseudonyms;
    private final boolean restore;
    private final TreeMap<String, Integer> maskedCounts = new TreeMap<>();

    /**
     * Creates a masker.
     *
     * @param detector   finds the entities
     * @param types      entity types to mask; may be empty when only restoring
     * @param mode       redact or pseudonymize
     * @param pseudonyms the session's pseudonyms; required when pseudonymizing or restoring
     * @param restore    true to replace the session's placeholders in the text with their originals
     */
    public TextMasker(Detector detector, Set<String> types, MaskMode mode, Pseudonyms pseudonyms, boolean restore) {
        if ((mode == MaskMode.PSEUDONYMIZE || restore) && pseudonyms == null) {
            throw new IllegalArgumentException("Pseudonyms are required to pseudonymize or restore");
        }
        this.detector = detector;
        this.types = Set.copyOf(types);
        this.mode = mode == null ? MaskMode.REDACT : mode;
        this.pseudonyms = pseudonyms;
        this.restore = restore;
    }

    /** Returns true when this masker can change a text. */
    public boolean active() {
        return !types.isEmpty() || (restore && !pseudonyms.isEmpty());
    }

    /** Returns the masked text. */
    public String mask(String text) {
        return replace(text, 0, text.length(), findings(text));
    }

    /**
     * Returns the spans to replace in the text, sorted by start, without overlaps: findings of
     * the masked types, and the session's placeholders when restoring, which win over any
     * finding they overlap.
     */
    List<Finding> findings(String text) {
        return selected(text, types.isEmpty() ? List.of() : detector.detect(text));
    }

    /**
     * Returns the spans to replace, as {@link #findings}, and the index from which the end of the
     * text must be held back, as {@link #holdFrom}, from one pass of the detectors.
     */
    Scan scan(String text) {
        if (types.isEmpty()) {
            return new Scan(selected(text, List.of()), holdFrom(text));
        }
        Scan scan = detector.scan(text);
        return new Scan(selected(text, scan.findings()), restoreHold(text, scan.holdFrom()));
    }

    private List<Finding> selected(String text, List<Finding> detected) {
        List<Finding> placeholders = restorablePlaceholders(text);
        List<Finding> found = new ArrayList<>(placeholders);
        if (!types.isEmpty()) {
            for (Finding finding : detected) {
                if (types.contains(finding.type()) && placeholders.stream()
                        .noneMatch(placeholder -> placeholder.overlaps(finding.start(), finding.end()))) {
                    found.add(finding);
                }
            }
        }
        found.sort(Comparator.comparingInt(Finding::start));
        return found;
    }

    /**
     * Returns the index from which the end of the text must be held back, because more text
     * could still make it part of an entity or of a placeholder.
     */
    int holdFrom(String text) {
        return restoreHold(text, types.isEmpty() ? text.length() : detector.holdFrom(text));
    }

    /** Moves the hold index back to a partial placeholder at the end of the text, when restoring. */
    private int restoreHold(String text, int hold) {
        if (restore && !pseudonyms.isEmpty()) {
            return Math.min(hold, Placeholders.partialPseudonymStart(text));
        }
        return hold;
    }

    /**
     * Returns {@code text[from, to)} with every finding inside it replaced. Findings must be
     * sorted by start and must not overlap; those outside the range are skipped.
     */
    String replace(String text, int from, int to, List<Finding> findings) {
        StringBuilder masked = new StringBuilder(to - from + 16);
        int position = from;
        for (Finding finding : findings) {
            if (finding.start() < from || finding.end() > to) {
                continue;
            }
            masked.append(text, position, finding.start());
            masked.append(replacement(finding, text.substring(finding.start(), finding.end())));
            position = finding.end();
        }
        masked.append(text, position, to);
        return masked.toString();
    }

    /** Returns the text that replaces a held-back tail that grew past the maximum hold-back. */
    String replaceOverlongTail(String tail) {
        maskedCounts.merge(MaskingLimits.OVERLONG_TYPE, 1, Integer::sum);
        return Placeholders.redaction(MaskingLimits.OVERLONG_TYPE);
    }

    /** Returns how many entities of each type this masker replaced, restored placeholders not counted. */
    public TreeMap<String, Integer> maskedCounts() {
        return new TreeMap<>(maskedCounts);
    }

    private String replacement(Finding finding, String value) {
        if (PLACEHOLDER.equals(finding.type())) {
            return pseudonyms.original(value);
        }
        maskedCounts.merge(finding.type(), 1, Integer::sum);
        return mode == MaskMode.REDACT
                ? Placeholders.redaction(finding.type())
                : pseudonyms.placeholder(finding.type(), value);
    }

    private List<Finding> restorablePlaceholders(String text) {
        if (!restore || pseudonyms.isEmpty() || text.indexOf('<') < 0) {
            return List.of();
        }
        List<Finding> placeholders = new ArrayList<>();
        Matcher matcher = Placeholders.PSEUDONYM.matcher(text);
        while (matcher.find()) {
            if (pseudonyms.original(matcher.group()) != null) {
                placeholders.add(new Finding(PLACEHOLDER, matcher.start(), matcher.end(), 1.0));
            }
        }
        return placeholders;
    }
}
