package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds bearer tokens after the word {@code Bearer} (RFC 6750 section 2.1 token68 syntax), such
 * as in a pasted {@code Authorization} header. Tokens of fewer than {@link #MIN_LENGTH}
 * characters, or without a digit, are taken for prose ("bearer bonds").
 */
public final class BearerTokenDetector implements OpenTailDetector {

    private static final Tails.CharClass TOKEN_CHARS = c -> Tails.isAsciiAlphanumeric(c) || "._~+/=-".indexOf(c) >= 0;

    static final double CONFIDENCE = 0.85;
    static final int MIN_LENGTH = 16;

    private static final Pattern BEARER = Pattern.compile("\\b[Bb]earer\\s+([A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=-])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = BEARER.matcher(text);
        while (matcher.find()) {
            String token = matcher.group(1);
            if (token.length() >= MIN_LENGTH && token.chars().anyMatch(Character::isDigit)) {
                findings.add(new Finding(EntityTypes.API_KEY, matcher.start(1), matcher.end(1), CONFIDENCE));
            }
        }
        return findings;
    }

    /**
     * Only the token is reported, so appended text can change findings from the start of the
     * trailing run of token characters on, even when the word {@code Bearer} comes before it.
     */
    @Override
    public int openFrom(String text) {
        return Tails.runStart(text, TOKEN_CHARS);
    }
}
