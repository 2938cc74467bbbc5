package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds national identifiers that carry a check digit or letter: UK NHS numbers (mod 11),
 * Canadian social insurance numbers (Luhn), Spanish DNI and NIE numbers (mod 23 letter), Indian
 * Aadhaar numbers (Verhoeff) and Italian fiscal codes (check letter). Numbers of digits only are
 * likely when grouped as their issuer prints them. About one random number in ten passes each
 * check, so numbers without groups count only after a context word.
 */
public final class NationalIdDetector implements OpenTailDetector {

    static final double CONFIDENCE_GROUPED = 0.6;
    static final double CONFIDENCE_BARE = 0.3;
    static final double CONFIDENCE_WITH_CONTEXT = 0.9;
    /** A check letter rejects 22 of 23 or 25 of 26 random strings, so those identifiers count without context. */
    static final double CONFIDENCE_CHECK_LETTER = 0.85;

    /** Characters that a candidate reads from its start: an Italian fiscal code of 16 and the next character. */
    private static final int WINDOW = 20;
    /** Characters of the digit-only numbers, which may be grouped by spaces. */
    private static final Tails.CharClass NUMBER_CHARS = c -> Tails.isDigit(c) || c == ' ' || c == '-' || c == ':';
    /** Characters of the identifiers with a letter, which have no spaces. */
    private static final Tails.CharClass CODE_CHARS = c -> Tails.isAsciiAlphanumeric(c) || c == '-';

    private static final String BEFORE = "(?<![0-9A-Za-z.-])";
    private static final String AFTER = "(?![0-9A-Za-z]|[.-][0-9])";

    /**
     * One kind of identifier.
     *
     * @param digitsOnly whether the identifier has no check letter, so that its confidence depends on
     *                   groups and context words
     */
    private record IdPattern(String type, Pattern pattern, Predicate<String> valid, boolean digitsOnly,
                             List<String> context) {
    }

    private static final List<IdPattern> PATTERNS = List.of(
            // NHS: 3-3-4 digits.
            new IdPattern(EntityTypes.UK_NHS, Pattern.compile(BEFORE + "[0-9]{3}([ -]?)[0-9]{3}\\1[0-9]{4}" + AFTER),
                    Checksums::nhsMod11, true, List.of("nhs", "national health")),
            // SIN: 3-3-3 digits; 0 and 8 are not issued as first digit.
            new IdPattern(EntityTypes.CA_SIN, Pattern.compile(BEFORE + "[1-79][0-9]{2}([ -]?)[0-9]{3}\\1[0-9]{3}" + AFTER),
                    Checksums::luhn, true, List.of("sin", "social insurance", "nas", "assurance sociale")),
            // Aadhaar: 12 digits in groups of 4, first digit 2 to 9.
            new IdPattern(EntityTypes.IN_AADHAAR,
                    Pattern.compile(BEFORE + "[2-9][0-9]{3}([ :-]?)[0-9]{4}\\1[0-9]{4}" + AFTER),
                    Checksums::verhoeff, true, List.of("aadhaar", "aadhar", "uidai")),
            // DNI: 7 or 8 digits and the control letter; NIE: X, Y or Z, 7 digits and the control letter.
            new IdPattern(EntityTypes.ES_NIF, Pattern.compile("(?i)" + BEFORE + "[0-9]{7,8}-?[A-Z]" + AFTER),
                    NationalIdDetector::validDni, false, List.of()),
            new IdPattern(EntityTypes.ES_NIE, Pattern.compile("(?i)" + BEFORE + "[XYZ][0-9]{7}-?[A-Z]" + AFTER),
                    NationalIdDetector::validNie, false, List.of()),
            // Fiscal code: surname, name, year, month, day, place, check letter; digits may be
            // replaced by letters (omocodia) when two persons share a code.
            new IdPattern(EntityTypes.IT_FISCAL_CODE, Pattern.compile(BEFORE
                    + "[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]" + AFTER),
                    Checksums::italianFiscalCode, false, List.of()));

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        for (IdPattern id : PATTERNS) {
            Matcher matcher = id.pattern().matcher(text);
            while (matcher.find()) {
                String compact = matcher.group().replaceAll("[ :-]", "").toUpperCase(Locale.ROOT);
                if (id.valid().test(compact)) {
                    findings.add(new Finding(id.type(), matcher.start(), matcher.end(), confidence(id, text, matcher)));
                }
            }
        }
        return findings;
    }

    private static double confidence(IdPattern id, String text, Matcher matcher) {
        if (!id.digitsOnly()) {
            return CONFIDENCE_CHECK_LETTER;
        }
        if (Context.precededByWord(text, matcher.start(), id.context())) {
            return CONFIDENCE_WITH_CONTEXT;
        }
        boolean grouped = matcher.group(1) != null && !matcher.group(1).isEmpty();
        return grouped ? CONFIDENCE_GROUPED : CONFIDENCE_BARE;
    }

    @Override
    public int openFrom(String text) {
        int number = Tails.firstOf(text, Tails.runStart(text, NUMBER_CHARS, WINDOW), Tails::isDigit);
        int code = Tails.firstOf(text, Tails.runStart(text, CODE_CHARS, WINDOW), Tails::isAsciiAlphanumeric);
        return Math.min(number, code);
    }

    private static boolean validDni(String compact) {
        long number = Long.parseLong(compact.substring(0, compact.length() - 1));
        return compact.charAt(compact.length() - 1) == Checksums.spanishControlLetter(number);
    }

    /** Checks an NIE, whose X, Y or Z stands for 0, 1 or 2 in front of the number. */
    private static boolean validNie(String compact) {
        long number = Long.parseLong((compact.charAt(0) - 'X') + compact.substring(1, 8));
        return compact.charAt(8) == Checksums.spanishControlLetter(number);
    }
}
