package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds secrets assigned to a key whose name suggests one ({@code password = "..."},
 * {@code api_key: ...}, {@code "client_secret": "..."}) when the value looks random: its
 * Shannon entropy reaches a threshold. A password key yields {@code PASSWORD}, any other key
 * {@code API_KEY}. Only the value is reported.
 */
public final class AssignedSecretDetector implements OpenTailDetector {

    /** Characters of a value: anything but the regex's {@code \\s} and the delimiters below. */
    private static final Tails.CharClass VALUE_CHARS = c -> " \t\n\u000B\f\r\"'`,;)}]".indexOf(c) < 0;

    static final double CONFIDENCE = 0.8;

    /** Minimum entropy, in bits per character, of a value assigned to a password key. */
    static final double PASSWORD_MIN_ENTROPY = 2.5;
    static final int PASSWORD_MIN_LENGTH = 6;
    /** Minimum entropy, in bits per character, of a value assigned to a key, token or secret. */
    static final double SECRET_MIN_ENTROPY = 3.0;
    static final int SECRET_MIN_LENGTH = 12;

    /** Starts only at the start of a key name and ends it possessively, so that long runs stay linear. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|api[_.-]?key|apikey"
                    + "|access[_.-]?key|auth[_.-]?key|private[_.-]?key|token|credential)s?[A-Za-z0-9_.-]*+)"
                    + "[\"']?[ \\t]*(?::=|=>|=|:)[ \\t]*([\"'`]?)([^\\s\"'`,;)}\\]]++)\\2");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = ASSIGNMENT.matcher(text);
        while (matcher.find()) {
            String key = matcher.group(1).toLowerCase(Locale.ROOT);
            String value = matcher.group(3);
            boolean password = key.contains("pass") || key.contains("pwd");
            // A value in a provider's format, such as "xoxp-1234567890", is for ApiKeyDetector to judge.
            if (isPlaceholder(value) || ApiKeyDetector.hasProviderPrefix(value)) {
                continue;
            }
            boolean random = password
                    ? value.length() >= PASSWORD_MIN_LENGTH && entropy(value) >= PASSWORD_MIN_ENTROPY
                    : value.length() >= SECRET_MIN_LENGTH && entropy(value) >= SECRET_MIN_ENTROPY;
            if (random) {
                String type = password ? EntityTypes.PASSWORD : EntityTypes.API_KEY;
                findings.add(new Finding(type, matcher.start(3), matcher.end(3), CONFIDENCE));
            }
        }
        return findings;
    }

    /**
     * Only the value is reported, and a value consists of value characters, so appended text
     * can change findings from the start of the trailing run of value characters on.
     */
    @Override
    public int openFrom(String text) {
        return Tails.runStart(text, VALUE_CHARS);
    }

    /** Returns the Shannon entropy of the string's characters, in bits per character. */
    static double entropy(String value) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double bits = 0;
        for (int count : counts) {
            bits += term(count, value.length());
        }
        return bits + term(other, value.length());
    }

    private static double term(int count, int length) {
        if (count == 0) {
            return 0;
        }
        double p = (double) count / length;
        return -p * Math.log(p) / Math.log(2);
    }

    /** Values that refer to a secret instead of containing it: variables, templates, masks. */
    private static boolean isPlaceholder(String value) {
        return value.startsWith("$") || value.startsWith("{{") || value.startsWith("%") || value.startsWith("<")
                || value.contains("(") || value.chars().allMatch(c -> c == '*' || c == 'x' || c == 'X');
    }
}
