package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds IPv4 addresses in dotted-decimal form and IPv6 addresses in the text forms of RFC 4291
 * section 2.2 (full, compressed with {@code ::}, and with an embedded IPv4 tail).
 */
public final class IpAddressDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: an IPv6 address with IPv4 tail and prefix, and 2 of look-ahead. */
    private static final int WINDOW = 64;
    private static final Tails.CharClass CANDIDATE_CHARS = c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
            || c >= 'A' && c <= 'F' || c == ':' || c == '.' || c == '/';

    static final double CONFIDENCE = 0.8;
    /**
     * Confidence of an IPv6 address without any digit, such as {@code ::} or {@code C::D}: more
     * often a scope operator or a type signature in code, unless a context word precedes it.
     */
    static final double CONFIDENCE_WITHOUT_DIGIT = 0.4;

    private static final List<String> CONTEXT = List.of("ip", "address", "src", "dst", "route", "subnet", "cidr");

    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(
            "(?<![0-9A-Za-z.])" + OCTET + "(?:\\." + OCTET + "){3}(?![0-9A-Za-z]|\\.[0-9])");
    /**
     * Hex groups and colons, with an optional IPv4 tail and CIDR prefix length. {@link #isIpv6}
     * checks the group count.
     */
    private static final Pattern IPV6_CANDIDATE = Pattern.compile(
            "(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|" + OCTET + "(?:\\." + OCTET + "){3})?(/[0-9]{1,3})?(?![0-9A-Za-z:]|\\.[0-9])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher v6 = IPV6_CANDIDATE.matcher(text);
        while (v6.find()) {
            String address = v6.group(1) == null ? v6.group() : v6.group().substring(0, v6.start(1) - v6.start());
            if (isIpv6(address)) {
                double confidence = ipv6Confidence(text, v6.start(), v6.group());
                findings.add(new Finding(EntityTypes.IP_ADDRESS, v6.start(), v6.end(), confidence));
            }
        }
        int ipv6Count = findings.size();
        Matcher v4 = IPV4.matcher(text);
        while (v4.find()) {
            // The IPv4 tail of an IPv6 address, such as ::ffff:192.0.2.1, is part of that finding.
            int start = v4.start();
            boolean tail = findings.subList(0, ipv6Count).stream().anyMatch(f -> f.overlaps(start, start + 1));
            if (!tail) {
                findings.add(new Finding(EntityTypes.IP_ADDRESS, v4.start(), v4.end(), CONFIDENCE));
            }
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.firstOf(text, Tails.runStart(text, CANDIDATE_CHARS, WINDOW), c -> c != '.' && c != '/');
    }

    private static double ipv6Confidence(String text, int start, String match) {
        boolean digit = match.chars().anyMatch(c -> c >= '0' && c <= '9');
        return digit || Context.precededBy(text, start, CONTEXT) ? CONFIDENCE : CONFIDENCE_WITHOUT_DIGIT;
    }

    /** Returns true when the text is an IPv6 address: 8 groups, or fewer with exactly one {@code ::}. */
    static boolean isIpv6(String text) {
        int compression = text.indexOf("::");
        if (compression >= 0 && text.indexOf("::", compression + 1) >= 0) {
            return false;
        }
        int groups = 0;
        String[] parts = text.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            if (part.contains(".")) {
                if (i != parts.length - 1 || !IPV4.matcher(part).matches()) {
                    return false;
                }
                groups += 2;
            } else {
                groups++;
            }
        }
        if (compression < 0) {
            // Without "::", no group may be empty.
            for (String part : parts) {
                if (part.isEmpty()) {
                    return false;
                }
            }
            return groups == 8;
        }
        boolean stray = text.startsWith(":") && !text.startsWith("::") || text.endsWith(":") && !text.endsWith("::");
        return !stray && groups < 8;
    }
}
