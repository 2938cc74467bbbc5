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

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
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
            }
            // A block with an empty body is a template, not a key.
            if (!text.substring(begin.end(), endLineStart >= 0 ? Math.min(end, endLineStart) : end).isBlank()) {
                findings.add(new Finding(EntityTypes.PRIVATE_KEY, begin.start(), end, CONFIDENCE));
            }
            from = end;
        }
        return findings;
    }
}
