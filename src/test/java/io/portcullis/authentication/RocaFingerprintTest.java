package io.portcullis.authentication;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The ROCA fingerprint on Wycheproof's ROCA key, on freshly generated keys and on random odd numbers. */
class RocaFingerprintTest {

    @Test
    void wycheproofRocaKeyMatches() throws IOException {
        assertThat(RocaFingerprint.matches(wycheproofRocaModulus())).isTrue();
    }

    @Test
    void generatedKeysDoNotMatch() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        for (int i = 0; i < 5; i++) {
            BigInteger modulus = ((RSAPublicKey) generator.generateKeyPair().getPublic()).getModulus();
            assertThat(RocaFingerprint.matches(modulus)).as("generated key " + i).isFalse();
        }
    }

    @Test
    void randomOddNumbersDoNotMatch() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 10_000; i++) {
            BigInteger candidate = new BigInteger(2048, random).setBit(2047).setBit(0);
            assertThat(RocaFingerprint.matches(candidate)).as(candidate.toString(16)).isFalse();
        }
    }

    private static BigInteger wycheproofRocaModulus() throws IOException {
        try (InputStream in = RocaFingerprintTest.class.getResourceAsStream("/jwt/wycheproof/json_web_key_test.json")) {
            JsonObject vectors = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            for (Object item : vectors.getJsonArray("testGroups")) {
                JsonObject group = (JsonObject) item;
                if ("jws_rsa_roca_key".equals(group.getString("comment"))) {
                    JsonObject key = group.getJsonObject("public").getJsonArray("keys").getJsonObject(0);
                    return new BigInteger(1, Base64.getUrlDecoder().decode(key.getString("n")));
                }
            }
        }
        throw new IllegalStateException("Wycheproof ROCA key group is missing");
    }
}
