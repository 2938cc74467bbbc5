package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds email addresses: a local part, {@code @}, and a domain whose last label has 2 or more letters
 * or is an internationalized top-level domain in punycode ({@code xn--...}). */
public final class EmailDetector implements OpenTailDetector {

    /** Characters of a local part, {@code @} and a domain: a match never crosses another character. */
    private static final Tails.CharClass ADDRESS_CHARS = c -> Tails.isAsciiAlphanumeric(c) || c == '@'
            || "!#$%&'*+/=?^_`{|}~.-".indexOf(c) >= 0;

    /**
     * The lookbehind lets a match start only where a local part can start, and the possessive
     * quantifiers stop backtracking, so a long run of letters without {@code @} is scanned once.
     */
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~.-])"
                    + "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]++(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]++)*+"
                    + "@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-])");

    static final double CONFIDENCE = 0.9;

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = EMAIL.matcher(text);
        while (matcher.find()) {
            findings.add(new Finding(EntityTypes.EMAIL_ADDRESS, matcher.start(), matcher.end(), CONFIDENCE));
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.firstOf(text, Tails.runStart(text, ADDRESS_CHARS), c -> c != '.' && c != '@');
    }
}
