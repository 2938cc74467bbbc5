package io.portcullis.inspection.detect;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** Checksums of the structured identifiers. */
final class Checksums {

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int BECH32_CONSTANT = 1;
    private static final int BECH32M_CONSTANT = 0x2bc830a3;

    private Checksums() {
    }

    /** Returns true when the digits pass the Luhn (mod 10) check. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean doubled = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int digit = digits.charAt(i) - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    /** Returns true when ten digits pass the NHS number check: weights 10 to 2, mod 11, check digit not 10. */
    static boolean nhsMod11(String digits) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (digits.charAt(i) - '0') * (10 - i);
        }
        int check = 11 - sum % 11;
        if (check == 11) {
            check = 0;
        }
        return check != 10 && check == digits.charAt(9) - '0';
    }

    private static final int[][] VERHOEFF_MULTIPLICATION = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
            {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
            {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
            {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
    private static final int[][] VERHOEFF_PERMUTATION = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
            {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
            {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

    /** Returns true when the digits pass the Verhoeff check (dihedral group D5), as Aadhaar numbers do. */
    static boolean verhoeff(String digits) {
        int check = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(digits.length() - 1 - i) - '0';
            check = VERHOEFF_MULTIPLICATION[check][VERHOEFF_PERMUTATION[i % 8][digit]];
        }
        return check == 0;
    }

    private static final String SPANISH_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

    /** Returns the control letter of a Spanish DNI or NIE number: the number mod 23 indexes a fixed alphabet. */
    static char spanishControlLetter(long number) {
        return SPANISH_LETTERS.charAt((int) (number % 23));
    }

    /** Values of the characters at odd positions (1st, 3rd, ...) of an Italian fiscal code, for 0-9 then A-Z. */
    private static final int[] ITALIAN_ODD = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16,
            10, 22, 25, 24, 23};

    /**
     * Returns true when the 16th character of an upper-case Italian fiscal code is its check
     * character (Decree of the Minister of Finance of 23 December 1976): odd positions map
     * through a table, even positions to their digit or alphabet index, and the sum mod 26 is
     * a letter.
     */
    static boolean italianFiscalCode(String code) {
        int sum = 0;
        for (int i = 0; i < 15; i++) {
            char c = code.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (i % 2 == 0) {
                sum += digit ? ITALIAN_ODD[c - '0'] : ITALIAN_ODD[c - 'A'];
            } else {
                sum += digit ? c - '0' : c - 'A';
            }
        }
        return code.charAt(15) == (char) ('A' + sum % 26);
    }

    /**
     * Returns true when an IBAN without spaces passes the ISO 13616 check: the first four
     * characters moved to the end, letters replaced by 10 to 35, the number mod 97 is 1.
     */
    static boolean ibanMod97(String iban) {
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < rearranged.length(); i++) {
            int value = Character.digit(rearranged.charAt(i), 36);
            if (value < 0) {
                return false;
            }
            remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
        }
        return remainder == 1;
    }

    /** Returns true when a base58 string decodes to 25 bytes whose last 4 are the double SHA-256 checksum. */
    static boolean base58Check(String address) {
        BigInteger value = BigInteger.ZERO;
        for (int i = 0; i < address.length(); i++) {
            int digit = BASE58.indexOf(address.charAt(i));
            if (digit < 0) {
                return false;
            }
            value = value.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(digit));
        }
        byte[] magnitude = value.toByteArray();
        int leadingZeros = 0;
        while (leadingZeros < address.length() && address.charAt(leadingZeros) == '1') {
            leadingZeros++;
        }
        // toByteArray may add a sign byte; strip it, then restore the zero bytes that leading '1's encode.
        int from = magnitude.length > 1 && magnitude[0] == 0 ? 1 : 0;
        byte[] payload = Arrays.copyOfRange(magnitude, from, magnitude.length);
        byte[] decoded = new byte[leadingZeros + payload.length];
        System.arraycopy(payload, 0, decoded, leadingZeros, payload.length);
        if (decoded.length != 25) {
            return false;
        }
        byte[] hash = sha256(sha256(Arrays.copyOfRange(decoded, 0, 21)));
        return Arrays.equals(Arrays.copyOfRange(hash, 0, 4), Arrays.copyOfRange(decoded, 21, 25));
    }

    /** Returns true when a lower-case bech32 or bech32m string (BIP 173, BIP 350) has a valid checksum. */
    static boolean bech32(String address) {
        int separator = address.lastIndexOf('1');
        if (separator < 1 || address.length() - separator - 1 < 6) {
            return false;
        }
        String humanPart = address.substring(0, separator);
        int[] values = new int[humanPart.length() * 2 + 1 + address.length() - separator - 1];
        int index = 0;
        for (int i = 0; i < humanPart.length(); i++) {
            values[index++] = humanPart.charAt(i) >> 5;
        }
        values[index++] = 0;
        for (int i = 0; i < humanPart.length(); i++) {
            values[index++] = humanPart.charAt(i) & 31;
        }
        for (int i = separator + 1; i < address.length(); i++) {
            int value = BECH32.indexOf(address.charAt(i));
            if (value < 0) {
                return false;
            }
            values[index++] = value;
        }
        int polymod = bech32Polymod(values);
        return polymod == BECH32_CONSTANT || polymod == BECH32M_CONSTANT;
    }

    private static int bech32Polymod(int[] values) {
        int[] generator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        int checksum = 1;
        for (int value : values) {
            int top = checksum >>> 25;
            checksum = (checksum & 0x1ffffff) << 5 ^ value;
            for (int i = 0; i < 5; i++) {
                if ((top >>> i & 1) != 0) {
                    checksum ^= generator[i];
                }
            }
        }
        return checksum;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
