package io.portcullis.masking;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Seals the originals of pseudonyms for the database: AES-256-GCM with a random 96-bit nonce,
 * bound to the session and its owner as associated data, and an HMAC-SHA256 digest that finds
 * a value again without storing it in clear. Both keys are derived from one master key with
 * HMAC-SHA256 over distinct labels.
 */
final class PseudonymCipher {

    static final int MIN_KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec encryptionKey;
    private final SecretKeySpec digestKey;
    private final SecureRandom random = new SecureRandom();

    PseudonymCipher(byte[] masterKey) {
        if (masterKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("The pseudonym key has " + masterKey.length + " bytes; at least "
                    + MIN_KEY_BYTES + " random bytes are required");
        }
        this.encryptionKey = new SecretKeySpec(hmac(masterKey, "portcullis pseudonym encryption"), "AES");
        this.digestKey = new SecretKeySpec(hmac(masterKey, "portcullis pseudonym digest"), "HmacSHA256");
    }

    /** Returns the digest that identifies a value of a type within a session. */
    byte[] digest(String sessionId, String type, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(digestKey);
            return mac.doFinal(framed(sessionId, type, value));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Returns the nonce followed by the ciphertext and tag of the value. */
    byte[] seal(Owner owner, String type, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(framed(owner.sessionId(), owner.issuer(), owner.subject(), type));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Returns the value of a sealed box.
     *
     * @throws GeneralSecurityException when the box was sealed with another key, for another
     *                                  session, owner or type, or was altered
     */
    String open(Owner owner, String type, byte[] box) throws GeneralSecurityException {
        if (box.length <= NONCE_BYTES) {
            throw new GeneralSecurityException("Sealed value of " + box.length + " bytes is too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, encryptionKey,
                new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(box, 0, NONCE_BYTES)));
        cipher.updateAAD(framed(owner.sessionId(), owner.issuer(), owner.subject(), type));
        byte[] value = cipher.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES);
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The session and the identity that owns it, to which sealed values are bound. */
    record Owner(String sessionId, String issuer, String subject) {
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Encodes the parts with their lengths, so that no two different lists encode the same. */
    private static byte[] framed(String... parts) {
        ByteBuffer buffer = ByteBuffer.allocate(Arrays.stream(parts)
                .mapToInt(part -> 4 + part.getBytes(StandardCharsets.UTF_8).length).sum());
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            buffer.putInt(bytes.length).put(bytes);
        }
        return buffer.array();
    }
}
