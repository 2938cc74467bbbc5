package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds payment card numbers: 13 to 19 digits, optionally grouped by single spaces or dashes,
 * with an issuer prefix and a length that fit a card network, and a valid Luhn check digit.
 */
public final class CreditCardDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: 19 digits, 18 separators and the next character. */
    private static final int WINDOW = 40;
    private static final Tails.CharClass CANDIDATE_CHARS = c -> c >= '0' && c <= '9' || c == ' ' || c == '-';

    static final double CONFIDENCE = 0.9;

    private static final Pattern CANDIDATE = Pattern.compile("(?<![0-9A-Za-z.-])[0-9](?:[ -]?[0-9]){12,18}(?![0-9A-Za-z])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = CANDIDATE.matcher(text);
        while (matcher.find()) {
            String digits = matcher.group().replaceAll("[ -]", "");
            if (isPlausible(digits) && Checksums.luhn(digits)) {
                findings.add(new Finding(EntityTypes.CREDIT_CARD, matcher.start(), matcher.end(), CONFIDENCE));
            }
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.firstOf(text, Tails.runStart(text, CANDIDATE_CHARS, WINDOW), Tails::isDigit);
    }

    /** Returns true when the prefix and length belong to a card network. */
    static boolean isPlausible(String digits) {
        int length = digits.length();
        int two = Integer.parseInt(digits.substring(0, 2));
        int four = Integer.parseInt(digits.substring(0, 4));
        int six = Integer.parseInt(digits.substring(0, 6));
        if (digits.charAt(0) == '1') {
            return length == 15; // UATP
        }
        if (digits.charAt(0) == '4') {
            return length == 13 || length == 16 || length == 19; // Visa
        }
        if (two >= 51 && two <= 55 || four >= 2221 && four <= 2720) {
            return length == 16; // Mastercard
        }
        if (two == 34 || two == 37) {
            return length == 15; // American Express
        }
        if (four == 6011 || two == 65 || six >= 644000 && six <= 649999 || six >= 622126 && six <= 622925) {
            return length >= 16 && length <= 19; // Discover
        }
        if (four >= 3528 && four <= 3589) {
            return length >= 16 && length <= 19; // JCB
        }
        if (two == 36 || two == 38 || two == 39 || four >= 3000 && four <= 3059 || four == 3095) {
            return length >= 14 && length <= 19; // Diners Club
        }
        if (two == 62) {
            return length >= 16 && length <= 19; // UnionPay
        }
        if (two == 50 || two >= 56 && two <= 69) {
            return length >= 12 && length <= 19; // Maestro
        }
        return false;
    }
}
