package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds US Social Security numbers (AAA-GG-SSSS) that the Social Security Administration could
 * have issued: area not 000, 666 or 900 to 999, group not 00, serial not 0000. Nine digits with
 * dashes, dots or spaces are likely; nine bare digits count only after a context word.
 */
public final class UsSsnDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: 11, and 2 of look-ahead. */
    private static final int WINDOW = 16;
    private static final Tails.CharClass CANDIDATE_CHARS = c -> c >= '0' && c <= '9' || c == ' ' || c == '-' || c == '.';

    static final double CONFIDENCE_SEPARATED = 0.6;
    static final double CONFIDENCE_WITH_CONTEXT = 0.9;
    static final double CONFIDENCE_BARE = 0.3;

    private static final List<String> CONTEXT = List.of("ssn", "social security", "social sec", "ss#", "ss #",
            "taxpayer");

    private static final Pattern CANDIDATE = Pattern.compile("(?<![0-9A-Za-z.-])([0-9]{3})([- .]?)([0-9]{2})\\2([0-9]{4})(?![0-9A-Za-z]|[.-][0-9])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = CANDIDATE.matcher(text);
        while (matcher.find()) {
            if (!isIssuable(matcher.group(1), matcher.group(3), matcher.group(4))) {
                continue;
            }
            double confidence = matcher.group(2).isEmpty() ? CONFIDENCE_BARE : CONFIDENCE_SEPARATED;
            if (Context.precededBy(text, matcher.start(), CONTEXT)) {
                confidence = CONFIDENCE_WITH_CONTEXT;
            }
            findings.add(new Finding(EntityTypes.US_SSN, matcher.start(), matcher.end(), confidence));
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.firstOf(text, Tails.runStart(text, CANDIDATE_CHARS, WINDOW), Tails::isDigit);
    }

    static boolean isIssuable(String area, String group, String serial) {
        int areaNumber = Integer.parseInt(area);
        if (areaNumber == 0 || areaNumber == 666 || areaNumber >= 900) {
            return false;
        }
        if (group.equals("00") || serial.equals("0000")) {
            return false;
        }
        // Nine equal digits are placeholders, not numbers anybody holds.
        String digits = area + group + serial;
        return !digits.chars().allMatch(c -> c == digits.charAt(0));
    }
}
