package io.portcullis.inspection.detect;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds phone numbers with Google's libphonenumber matcher at {@link Leniency#VALID}: numbers
 * that are valid for their region. Numbers without a country code are read as numbers of the
 * default region.
 */
public final class PhoneNumberDetector implements OpenTailDetector {

    static final double CONFIDENCE = 0.7;
    static final double CONFIDENCE_WITH_CONTEXT = 0.9;

    private static final List<String> CONTEXT = List.of("phone", "tel", "call", "mobile", "cell", "fax", "number",
            "contact", "whatsapp");

    /**
     * Characters after the last digit within which appended text can still change a number:
     * libphonenumber rejects a number followed by a letter or by a time's {@code :mm}, and
     * reads an extension such as {@code ext. 12} after it.
     */
    static final int EXTENSION_WINDOW = 30;
    /** Maximum letters of the one word after the last digit that could start an extension ("extension", "anexo"). */
    private static final int EXTENSION_WORD = 12;

    /**
     * Characters that a number may contain apart from an extension: everything but letters and
     * line breaks, except the {@code x} that libphonenumber reads as punctuation.
     */
    private static final Tails.CharClass NUMBER_CHARS = c -> c != '\n' && c != '\r'
            && (!Character.isLetter(c) || c == 'x' || c == 'X');

    /** Characters that a libphonenumber candidate may start with: digits, opening brackets and plus signs. */
    private static final String LEAD_CHARS = "([+\uFF08\uFF3B\uFF0B";

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    /** @param defaultRegion ISO 3166-1 alpha-2 code, such as {@code US} */
    public PhoneNumberDetector(String defaultRegion) {
        if (!util.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("Unknown phone region " + defaultRegion
                    + ": expected an ISO 3166-1 alpha-2 code supported by libphonenumber, such as US or DE");
        }
        this.defaultRegion = defaultRegion;
    }

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        for (PhoneNumberMatch match : util.findNumbers(text, defaultRegion, Leniency.VALID, Long.MAX_VALUE)) {
            int start = match.start();
            double confidence = Context.precededBy(text, start, CONTEXT) ? CONFIDENCE_WITH_CONTEXT : CONFIDENCE;
            findings.add(new Finding(EntityTypes.PHONE_NUMBER, start, match.end(), confidence));
        }
        return findings;
    }

    /**
     * Keeps open the trailing run of number characters from its first digit, bracket or plus
     * sign, and the number around the last digit while at most one word of up to
     * {@link #EXTENSION_WORD} letters, and no line break, follows it within
     * {@link #EXTENSION_WINDOW} characters.
     */
    @Override
    public int openFrom(String text) {
        int open = firstLead(text, Tails.runStart(text, NUMBER_CHARS), text.length());
        int lastDigit = lastDigit(text, text.length() - EXTENSION_WINDOW);
        if (lastDigit >= 0 && mayStartExtension(text, lastDigit + 1)) {
            open = Math.min(open, firstLead(text, Tails.runStartBefore(text, lastDigit + 1, NUMBER_CHARS), lastDigit));
        }
        return open;
    }

    /** Returns the index of the first character in [from, to) that a candidate may start with, or {@code to}. */
    private static int firstLead(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (Character.isDigit(c) || LEAD_CHARS.indexOf(c) >= 0) {
                return i;
            }
        }
        return to;
    }

    private static int lastDigit(String text, int from) {
        for (int i = text.length() - 1; i >= Math.max(0, from); i--) {
            if (Character.isDigit(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean mayStartExtension(String text, int from) {
        int words = 0;
        int letters = 0;
        boolean inWord = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return false;
            }
            if (Character.isLetter(c)) {
                if (!inWord) {
                    words++;
                    inWord = true;
                }
                letters++;
            } else {
                inWord = false;
            }
        }
        return words <= 1 && letters <= EXTENSION_WORD;
    }
}
