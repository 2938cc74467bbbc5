package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds IBANs, written compactly or in groups separated by single spaces or dashes, whose
 * length matches their country and whose mod-97 check (ISO 13616) passes.
 */
public final class IbanDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: 34 characters, 33 separators and the next two. */
    private static final int WINDOW = 70;
    private static final Tails.CharClass CANDIDATE_CHARS = c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
            || c == ' ' || c == '-';

    static final double CONFIDENCE = 0.95;

    /**
     * IBAN length by country, as published in the SWIFT IBAN registry. NOTE: typed in by hand,
     * not generated from the registry file; an IBAN of a country missing here is not found.
     */
    static final Map<String, Integer> LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BI", 27),
            Map.entry("BR", 29), Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28),
            Map.entry("CZ", 24), Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
            Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FK", 18),
            Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22), Map.entry("GI", 23),
            Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HN", 28), Map.entry("HR", 21),
            Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26),
            Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28),
            Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21),
            Map.entry("LY", 25), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19),
            Map.entry("MN", 20), Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28),
            Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24), Map.entry("PL", 28),
            Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22),
            Map.entry("RU", 33), Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SD", 18), Map.entry("SE", 24),
            Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25),
            Map.entry("SV", 28), Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29),
            Map.entry("VA", 22), Map.entry("VG", 24), Map.entry("XK", 20), Map.entry("YE", 30));

    /** A candidate: country, check digits, then letters and digits with optional single separators. */
    private static final Pattern CANDIDATE = Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]){10,30}");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = CANDIDATE.matcher(text);
        int from = 0;
        while (from < text.length() && matcher.find(from)) {
            Finding finding = validate(text, matcher.start(), matcher.end());
            if (finding != null) {
                findings.add(finding);
                from = finding.end();
            } else {
                from = matcher.start() + 1;
            }
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.firstOf(text, Tails.runStart(text, CANDIDATE_CHARS, WINDOW), c -> c >= 'A' && c <= 'Z');
    }

    /** Cuts the candidate to its country's length and checks it; null when it is no IBAN. */
    private static Finding validate(String text, int start, int candidateEnd) {
        Integer length = LENGTHS.get(text.substring(start, start + 2));
        if (length == null) {
            return null;
        }
        StringBuilder compact = new StringBuilder(length);
        int end = start;
        while (end < candidateEnd && compact.length() < length) {
            char c = text.charAt(end);
            if (c != ' ' && c != '-') {
                compact.append(c);
            }
            end++;
        }
        if (compact.length() != length || !Context.isBoundary(text, end) || !Checksums.ibanMod97(compact.toString())) {
            return null;
        }
        return new Finding(EntityTypes.IBAN, start, end, CONFIDENCE);
    }
}
