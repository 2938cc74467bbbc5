package io.portcullis.inspection.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds crypto wallet addresses: Bitcoin legacy and script addresses (base58check with a valid
 * checksum), Bitcoin segwit addresses (bech32 or bech32m with a valid checksum), and Ethereum
 * addresses ({@code 0x} and 40 hex digits, which carry no checksum unless mixed case).
 */
public final class CryptoWalletDetector implements OpenTailDetector {

    /** Characters that a candidate reads from its start: a bech32 address of 74 and the next character. */
    private static final int WINDOW = 80;

    static final double CONFIDENCE_CHECKSUM = 0.95;
    static final double CONFIDENCE_ETHEREUM = 0.8;

    private static final Pattern BASE58 = Pattern.compile("(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])");
    private static final Pattern BECH32 = Pattern.compile("(?<![0-9A-Za-z])(?:bc|tb)1[02-9ac-hj-np-z]{11,71}(?![0-9A-Za-z])");
    private static final Pattern ETHEREUM = Pattern.compile("(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])");

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        Matcher base58 = BASE58.matcher(text);
        while (base58.find()) {
            if (Checksums.base58Check(base58.group())) {
                findings.add(new Finding(EntityTypes.CRYPTO, base58.start(), base58.end(), CONFIDENCE_CHECKSUM));
            }
        }
        Matcher bech32 = BECH32.matcher(text);
        while (bech32.find()) {
            if (Checksums.bech32(bech32.group())) {
                findings.add(new Finding(EntityTypes.CRYPTO, bech32.start(), bech32.end(), CONFIDENCE_CHECKSUM));
            }
        }
        Matcher ethereum = ETHEREUM.matcher(text);
        while (ethereum.find()) {
            findings.add(new Finding(EntityTypes.CRYPTO, ethereum.start(), ethereum.end(), CONFIDENCE_ETHEREUM));
        }
        return findings;
    }

    @Override
    public int openFrom(String text) {
        return Tails.runStart(text, Tails::isAsciiAlphanumeric, WINDOW);
    }
}
