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
