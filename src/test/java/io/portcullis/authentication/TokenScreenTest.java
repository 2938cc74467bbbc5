package io.portcullis.authentication;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TokenScreenTest {

    private static final TokenScreen SCREEN = new TokenScreen(Set.of("RS256", "ES256", "EdDSA"), 4096);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            RS256 accepted                 | {"alg":"RS256","kid":"k1"}                       | {"sub":"a"} | sig  | ACCEPT
            EdDSA accepted                 | {"alg":"EdDSA"}                                  | {"sub":"a"} | sig  | ACCEPT
            alg none                       | {"alg":"none"}                                   | {"sub":"a"} | sig  | ALGORITHM_NOT_ALLOWED
            alg None mixed case            | {"alg":"None"}                                   | {"sub":"a"} | sig  | ALGORITHM_NOT_ALLOWED
            HS256                          | {"alg":"HS256"}                                  | {"sub":"a"} | sig  | ALGORITHM_NOT_ALLOWED
            RS512 outside the list         | {"alg":"RS512"}                                  | {"sub":"a"} | sig  | ALGORITHM_NOT_ALLOWED
            alg missing                    | {"kid":"k1"}                                     | {"sub":"a"} | sig  | MALFORMED
            alg not a string               | {"alg":256}                                      | {"sub":"a"} | sig  | MALFORMED
            kid not a string               | {"alg":"RS256","kid":7}                          | {"sub":"a"} | sig  | MALFORMED
            embedded jwk                   | {"alg":"RS256","jwk":{"kty":"RSA"}}              | {"sub":"a"} | sig  | EMBEDDED_KEY
            remote jku                     | {"alg":"RS256","jku":"http://127.0.0.1:9/k"}     | {"sub":"a"} | sig  | EMBEDDED_KEY
            x5u                            | {"alg":"RS256","x5u":"http://127.0.0.1:9/c"}     | {"sub":"a"} | sig  | EMBEDDED_KEY
            x5c                            | {"alg":"RS256","x5c":["MII"]}                    | {"sub":"a"} | sig  | EMBEDDED_KEY
            critical b64                   | {"alg":"RS256","b64":false,"crit":["b64"]}       | {"sub":"a"} | sig  | CRITICAL_HEADER
            enc in header                  | {"alg":"RS256","enc":"A128GCM"}                  | {"sub":"a"} | sig  | ENCRYPTED
            header not an object           | ["RS256"]                                        | {"sub":"a"} | sig  | MALFORMED
            payload not JSON               | {"alg":"RS256"}                                  | not-json    | sig  | MALFORMED
            empty signature                | {"alg":"RS256"}                                  | {"sub":"a"} |      | MALFORMED
            """)
    void screensHeader(String label, String header, String payload, String signature, String expected) {
        String token = encode(header) + "." + encode(payload) + "." + (signature == null ? "" : encode(signature));
        assertVerdict(token, expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty                | ''                                      | MALFORMED
            two segments         | eyJhbGciOiJSUzI1NiJ9.e30                 | MALFORMED
            four segments        | eyJhbGciOiJSUzI1NiJ9.e30.c2ln.c2ln       | MALFORMED
            five segments (JWE)  | eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d         | ENCRYPTED
            padding characters   | eyJhbGciOiJSUzI1NiJ9.e30=.c2ln           | MALFORMED
            standard base64      | eyJhbGciOiJSUzI1NiJ9.e30.c2l+/w          | MALFORMED
            whitespace inside    | eyJhbGciOiJSUzI1NiJ9 .e30.c2ln           | MALFORMED
            """)
    void screensStructure(String label, String token, String expected) {
        assertVerdict(token, expected);
    }

    @org.junit.jupiter.api.Test
    void oversizedTokenIsRejected() {
        String token = encode("{\"alg\":\"RS256\"}") + "." + encode("{\"p\":\"" + "x".repeat(5000) + "\"}") + ".c2ln";
        assertVerdict(token, "TOO_LARGE");
    }

    private static void assertVerdict(String token, String expected) {
        RejectedTokenException rejected = catchThrowableOfType(RejectedTokenException.class, () -> SCREEN.check(token));
        if ("ACCEPT".equals(expected)) {
            assertThat(rejected).isNull();
        } else {
            assertThat(rejected).isNotNull();
            assertThat(rejected.reason()).isEqualTo(RejectionReason.valueOf(expected));
        }
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
