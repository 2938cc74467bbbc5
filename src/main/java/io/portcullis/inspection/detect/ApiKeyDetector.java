package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds cloud and SaaS credentials by the prefixes and lengths that their providers document:
 * AWS access key ids, GitHub tokens, Slack tokens and webhook URLs, Stripe secret and restricted
 * keys, and Google API keys. Stripe publishable keys ({@code pk_}) are public and not reported,
 * and neither are placeholders with a run of 8 or more {@code x}, {@code X}, {@code #} or {@code *}.
 */
public final class ApiKeyDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: a Slack token of 260 and the next character. */
    private static final int WINDOW = 270;
    /** Characters of the keys and of Slack webhook URLs. */
    private static final Tails.CharClass KEY_CHARS = c -> Tails.isAsciiAlphanumeric(c) || "_.:/+-".indexOf(c) >= 0;

    static final double CONFIDENCE = 0.95;

    private record KeyPattern(String type, Pattern pattern) {
    }

    /** A run of 8 filler characters marks a placeholder in documentation, such as {@code ghp_xxxxxxxx...}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("([xX#*])\\1{7}");

    /** Prefixes of the formats below: a value with one is judged by its provider's format alone. */
    private static final Pattern PROVIDER_PREFIX = Pattern.compile(
            "(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9]|gh[pousr]_|github_pat_|xox[abposre]|xapp-|[sr]k_(?:live|prod|test)_|AIza)");

    private static final String BEFORE = "(?<![0-9A-Za-z_])";
    private static final String AFTER = "(?![0-9A-Za-z_])";

    private static final List<KeyPattern> PATTERNS = List.of(
            // AWS: AKIA long-term, ASIA temporary; ABIA, ACCA and A3T prefixes of other key kinds.
            new KeyPattern(EntityTypes.AWS_ACCESS_KEY,
                    Pattern.compile(BEFORE + "(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}" + AFTER)),
            // GitHub: personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs.
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "gh[pousr]_[A-Za-z0-9]{36,251}" + AFTER)),
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "github_pat_[A-Za-z0-9_]{82}" + AFTER)),
            // Slack: bot, user, app-level, refresh and configuration tokens.
            // A body of fewer than 20 characters is taken for a made-up example ("xoxb-12345-abcd").
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "xox(?:[abposre]|e\\.xox[bp])-[0-9A-Za-z-]{20,250}" + AFTER)),
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "xoxe-[0-9]-[0-9A-Za-z]{140,250}" + AFTER)),
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "xapp-[0-9]-[0-9A-Za-z]{1,20}-[0-9]{1,20}-[0-9a-f]{10,80}" + AFTER)),
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(
                    "https?://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{40,100}")),
            // Stripe: secret and restricted keys, live, production or test mode.
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "(?:sk|rk)_(?:live|prod|test)_[0-9A-Za-z]{10,99}" + AFTER)),
            // Google API keys: "AIza" and 35 URL-safe characters.
            new KeyPattern(EntityTypes.API_KEY, Pattern.compile(BEFORE + "AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")));

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        for (KeyPattern key : PATTERNS) {
            Matcher matcher = key.pattern().matcher(text);
            while (matcher.find()) {
                if (!PLACEHOLDER.matcher(matcher.group()).find()) {
                    findings.add(new Finding(key.type(), matcher.start(), matcher.end(), CONFIDENCE));
                }
            }
        }
        return findings;
    }

    /** Returns true when the value starts with a prefix of a provider format that this detector checks. */
    static boolean hasProviderPrefix(String value) {
        return PROVIDER_PREFIX.matcher(value).lookingAt();
    }

    @Override
    public int openFrom(String text) {
        return Tails.runStart(text, KEY_CHARS, WINDOW);
    }
}
