package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds PEM and OpenSSH private key blocks, from {@code -----BEGIN ... PRIVATE KEY-----} to the
 * matching END line. A block without an END line runs to the end of the text, or to
 * {@link #MAX_LENGTH} characters, so that a cut-off key is still reported.
 */
public final class PrivateKeyDetector implements Detector {

    static final double CONFIDENCE = 0.99;

    /** Maximum characters of a block without an END line: an RSA 8192-bit PEM key is about 6,400. */
    static final int MAX_LENGTH = 8192;

    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----");
    /** Characters of a BEGIN line, so that a partial one at the end of the text stays open. */
    private static final Tails.CharClass BEGIN_LINE_CHARS = c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
            || c == ' ' || c == '-';

    @Override
    public List<Finding> detect(String text) {
        return scan(text).findings();
    }

    @Override
    public int holdFrom(String text) {
        return scan(text).holdFrom();
    }

    /**
     * Finds the blocks and the hold index together. A block whose END line has not arrived
     * stays open until it reaches {@link #MAX_LENGTH} characters, because its finding ends where
     * the text ends.
     */
    @Override
    public Scan scan(String text) {
        List<Finding> findings = new ArrayList<>();
        int open = Tails.firstOf(text, Tails.runStart(text, BEGIN_LINE_CHARS), c -> c == '-');
        Matcher begin = BEGIN.matcher(text);
        int from = 0;
        while (begin.find(from)) {
            String endLine = "-----END " + begin.group(1) + "PRIVATE KEY" + (begin.group(2) == null ? "" : begin.group(2))
                    + "-----";
            int endLineStart = text.indexOf(endLine, begin.end());
            int end;
            if (endLineStart >= 0 && endLineStart - begin.start() <= MAX_LENGTH) {
                end = endLineStart + endLine.length();
            } else {
                end = Math.min(text.length(), begin.start() + MAX_LENGTH);
                if (end == text.length() && begin.start() + MAX_LENGTH > text.length()) {
                    open = Math.min(open, begin.start());
                }
            }
            // A block with an empty body is a template, not a key.
            if (!text.substring(begin.end(), endLineStart >= 0 ? Math.min(end, endLineStart) : end).isBlank()) {
                findings.add(new Finding(EntityTypes.PRIVATE_KEY, begin.start(), end, CONFIDENCE));
            }
            from = end;
        }
        return new Scan(findings, Tails.before(open, findings));
    }
}
