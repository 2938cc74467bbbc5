package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the matches of one regular expression as entities of one type, for the custom patterns
 * and dictionaries of an operator. Empty matches are skipped.
 *
 * <p>{@link #holdFrom} works for any pattern without knowing its syntax, through
 * {@link Matcher#hitEnd()}: a match during which the matcher read the end of the text could
 * still change, and so could a failed attempt that read it.
 */
public final class RegexEntityDetector implements Detector {

    private final String type;
    private final Pattern pattern;
    private final double confidence;

    public RegexEntityDetector(String type, Pattern pattern, double confidence) {
        if (confidence < 0 || confidence > 1) {
            throw new IllegalArgumentException("Invalid confidence " + confidence + " of " + type + ": expected 0 to 1");
        }
        this.type = type;
        this.pattern = pattern;
        this.confidence = confidence;
    }

    /**
     * Creates a detector of whole words or phrases from a list: a word matches when no letter,
     * digit or underscore touches it on either side.
     */
    public static RegexEntityDetector dictionary(String type, List<String> words, boolean caseSensitive,
            double confidence) {
        // Longer words first, so that "Blue Bird" wins over "Blue" at the same start.
        List<String> sorted = words.stream().sorted((a, b) -> b.length() - a.length()).map(Pattern::quote).toList();
        String alternatives = String.join("|", sorted);
        int flags = caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
        Pattern pattern = Pattern.compile("(?<![\\p{L}\\p{N}_])(?:" + alternatives + ")(?![\\p{L}\\p{N}_])", flags);
        return new RegexEntityDetector(type, pattern, confidence);
    }

    public String type() {
        return type;
    }

    @Override
    public List<Finding> detect(String text) {
        return scan(text).findings();
    }

    @Override
    public int holdFrom(String text) {
        return scan(text).holdFrom();
    }

    @Override
    public Scan scan(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        matcher.useTransparentBounds(true);
        matcher.useAnchoringBounds(false);
        int open = text.length();
        int from = 0;
        boolean found = true;
        while (from <= text.length()) {
            found = matcher.find(from);
            if (!found) {
                break;
            }
            int start = matcher.start();
            int end = matcher.end();
            boolean hitEnd = matcher.hitEnd();
            if (end > start) {
                findings.add(new Finding(type, start, end, confidence));
            }
            if (hitEnd && open == text.length()) {
                // This match, or a failed attempt before it, read the end of the text.
                open = firstAttemptReadingEnd(matcher, text, from, start);
            }
            from = end > start ? end : end + 1;
        }
        if (!found && open == text.length() && matcher.hitEnd()) {
            open = firstAttemptReadingEnd(matcher, text, from, text.length());
        }
        return new Scan(findings, Tails.before(open, findings));
    }

    /**
     * Returns the first start from {@code from} to {@code to} whose attempt reads the end of the
     * text, or {@code to}. It retries the attempts of the last find one at a time.
     */
    private static int firstAttemptReadingEnd(Matcher matcher, String text, int from, int to) {
        for (int start = from; start < to; start++) {
            matcher.region(start, text.length());
            matcher.lookingAt();
            if (matcher.hitEnd()) {
                return start;
            }
        }
        return to;
    }
}
