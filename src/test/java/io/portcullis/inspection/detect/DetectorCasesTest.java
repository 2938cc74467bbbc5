package io.portcullis.inspection.detect;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Table-driven cases for each detector: positives, negatives, checksum failures and
 * boundaries. Each case lists the expected findings as "TYPE value", in text order.
 */
class DetectorCasesTest {

    private static final String JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    private static final String JWT = JWT_HEADER + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    static Stream<Arguments> email() {
        return Stream.of(
                arguments("plain address", "Write to jane.doe@example.com today", List.of("EMAIL_ADDRESS jane.doe@example.com")),
                arguments("plus tag and subdomain", "<ops+alerts@mail.corp.example.org>",
                        List.of("EMAIL_ADDRESS ops+alerts@mail.corp.example.org")),
                arguments("punycode top-level domain", "a@xn--d1acufc.xn--p1ai", List.of("EMAIL_ADDRESS a@xn--d1acufc.xn--p1ai")),
                arguments("no top-level domain", "root@localhost", List.of()),
                arguments("one-letter top-level domain", "a@b.c", List.of()),
                arguments("no local part", "@example.com", List.of()));
    }

    static Stream<Arguments> phone() {
        return Stream.of(
                arguments("US national format", "Call (415) 555-0132 now", List.of("PHONE_NUMBER (415) 555-0132")),
                arguments("international format", "office +44 20 7946 0958", List.of("PHONE_NUMBER +44 20 7946 0958")),
                arguments("too short", "extension 555-0132", List.of()),
                arguments("plain count", "we sold 12345 units", List.of()));
    }

    static Stream<Arguments> creditCard() {
        return Stream.of(
                arguments("Visa in groups", "card 4111 1111 1111 1111.", List.of("CREDIT_CARD 4111 1111 1111 1111")),
                arguments("Mastercard with dashes", "5500-0000-0000-0004", List.of("CREDIT_CARD 5500-0000-0000-0004")),
                arguments("American Express", "378282246310005", List.of("CREDIT_CARD 378282246310005")),
                arguments("Discover", "6011111111111117", List.of("CREDIT_CARD 6011111111111117")),
                arguments("Luhn failure", "4111111111111112", List.of()),
                arguments("unknown prefix passing Luhn", "9111111111111110", List.of()),
                arguments("Visa of wrong length", "41111111111111111", List.of()),
                arguments("glued to letters", "id4111111111111111x", List.of()));
    }

    static Stream<Arguments> iban() {
        return Stream.of(
                arguments("German, grouped", "IBAN: DE89 3704 0044 0532 0130 00, thanks",
                        List.of("IBAN DE89 3704 0044 0532 0130 00")),
                arguments("British, compact", "GB82WEST12345698765432", List.of("IBAN GB82WEST12345698765432")),
                arguments("followed by a word", "DE89 3704 0044 0532 0130 00 AB", List.of("IBAN DE89 3704 0044 0532 0130 00")),
                arguments("mod-97 failure", "DE89370400440532013001", List.of()),
                arguments("too short for its country", "DE89 3704 0044 0532 0130 0", List.of()),
                arguments("unknown country", "ZZ89370400440532013000", List.of()));
    }

    static Stream<Arguments> ssn() {
        return Stream.of(
                arguments("dashes", "number 536-22-1234", List.of("US_SSN 536-22-1234")),
                arguments("spaces", "536 22 1234", List.of("US_SSN 536 22 1234")),
                arguments("bare digits are weak but found", "536221234", List.of("US_SSN 536221234")),
                arguments("area 000", "000-12-3456", List.of()),
                arguments("area 666", "666-12-3456", List.of()),
                arguments("area 9xx", "900-12-3456", List.of()),
                arguments("group 00", "123-00-4567", List.of()),
                arguments("serial 0000", "123-45-0000", List.of()),
                arguments("all digits equal", "111-11-1111", List.of()),
                arguments("mixed separators", "536-221234", List.of()),
                arguments("part of a longer number", "1536-22-1234", List.of()));
    }

    static Stream<Arguments> ipAddress() {
        return Stream.of(
                arguments("IPv4", "host 192.168.0.1.", List.of("IP_ADDRESS 192.168.0.1")),
                arguments("IPv4 octet out of range", "256.1.1.1", List.of()),
                arguments("five dotted numbers", "version 1.2.3.4.5", List.of()),
                arguments("IPv6 compressed", "at 2001:db8::1 now", List.of("IP_ADDRESS 2001:db8::1")),
                arguments("IPv6 loopback", "[::1]:8080", List.of("IP_ADDRESS ::1")),
                arguments("IPv6 full", "1:2:3:4:5:6:7:8", List.of("IP_ADDRESS 1:2:3:4:5:6:7:8")),
                arguments("IPv6 with IPv4 tail", "::ffff:192.0.2.1", List.of("IP_ADDRESS ::ffff:192.0.2.1")),
                arguments("two compressions", "1::2::3", List.of()),
                arguments("IPv4 tail out of range", "::ffff:256.1.1.1", List.of()),
                arguments("clock time", "at 12:30:45", List.of()),
                arguments("CIDR prefix", "route 2001:db8::/32 via", List.of("IP_ADDRESS 2001:db8::/32")),
                arguments("two compressions without digits", "call A::B::C now", List.of()));
    }

    static Stream<Arguments> crypto() {
        return Stream.of(
                arguments("Bitcoin base58check", "send to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                        List.of("CRYPTO 1BoatSLRHtKNngkdXEeobR76b53LETtpyT")),
                arguments("Bitcoin bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                        List.of("CRYPTO bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")),
                arguments("Bitcoin bech32m", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
                        List.of("CRYPTO bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")),
                arguments("Ethereum", "0x52908400098527886E0F7030069857D2E4169EE7",
                        List.of("CRYPTO 0x52908400098527886E0F7030069857D2E4169EE7")),
                arguments("base58 checksum failure", "1BoatSLRHtKNngkdXEeobR76b53LETtpyU", List.of()),
                arguments("bech32 checksum failure", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", List.of()),
                arguments("Ethereum too long", "0x52908400098527886E0F7030069857D2E4169EE70", List.of()));
    }

    static Stream<Arguments> apiKey() {
        return Stream.of(
                arguments("AWS access key id", "key AKIAIOSFODNN7EXAMPLE", List.of("AWS_ACCESS_KEY AKIAIOSFODNN7EXAMPLE")),
                arguments("AWS id too short", "AKIAIOSFODNN7EXAMPL", List.of()),
                arguments("GitHub token", "ghp_" + "a".repeat(18) + "B1".repeat(9),
                        List.of("API_KEY ghp_" + "a".repeat(18) + "B1".repeat(9))),
                arguments("Slack bot token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                        List.of("API_KEY xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")),
                arguments("Stripe secret key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", List.of("API_KEY sk_live_4eC39HqLyjWDarjtT1zdp7dc")),
                arguments("Stripe production restricted key", "rk_prod_51OuEMLAlTWGaDypq4P5cuDH",
                        List.of("API_KEY rk_prod_51OuEMLAlTWGaDypq4P5cuDH")),
                arguments("GitHub placeholder", "ghp_" + "x".repeat(36), List.of()),
                arguments("Slack token too short", "xoxb-12345-abcd234", List.of()),
                arguments("Slack webhook over HTTP", "http://hooks.slack.com/services/T024TTTTT/BBB72BBL/AZAAA9u0pA4ad666eMgbi555",
                        List.of("API_KEY http://hooks.slack.com/services/T024TTTTT/BBB72BBL/AZAAA9u0pA4ad666eMgbi555")),
                arguments("Stripe publishable key", "pk_live_4eC39HqLyjWDarjtT1zdp7dc", List.of()),
                arguments("Google API key", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
                        List.of("API_KEY AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q")),
                arguments("Google key one character short", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6", List.of()));
    }

    static Stream<Arguments> privateKey() {
        String block = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
                + "-----END RSA PRIVATE KEY-----";
        String openSsh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        return Stream.of(
                arguments("PEM RSA block", "key:\n" + block + "\ndone", List.of("PRIVATE_KEY " + block)),
                arguments("OpenSSH block", openSsh, List.of("PRIVATE_KEY " + openSsh)),
                arguments("block without END runs to the end", "-----BEGIN PRIVATE KEY-----\nMIIE",
                        List.of("PRIVATE_KEY -----BEGIN PRIVATE KEY-----\nMIIE")),
                arguments("empty template", "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----", List.of()),
                arguments("public key", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", List.of()));
    }

    static Stream<Arguments> jwt() {
        return Stream.of(
                arguments("signed token", "token=" + JWT + " end", List.of("JWT " + JWT)),
                arguments("unsecured token with empty signature", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
                        List.of("JWT eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")),
                arguments("token without signature", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0",
                        List.of("JWT eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0")),
                arguments("two segments, second not JSON", "eyJhbGciOiJub25lIn0.c2lnbmF0dXJl", List.of()),
                arguments("header without alg", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln", List.of()),
                arguments("header not JSON", "eyJub3QganNvbg.eyJzdWIiOiIxIn0.c2ln", List.of()));
    }

    static Stream<Arguments> bearer() {
        return Stream.of(
                arguments("opaque token", "Authorization: Bearer abcDEF123456ghiJKL789",
                        List.of("API_KEY abcDEF123456ghiJKL789")),
                arguments("prose", "the bearer of this letter", List.of()),
                arguments("short token", "Bearer abc123", List.of()));
    }

    static Stream<Arguments> connectionString() {
        return Stream.of(
                arguments("postgres URL", "DATABASE_URL=postgres://app:s3cr3t@db.example.com:5432/app",
                        List.of("CONNECTION_STRING postgres://app:s3cr3t@db.example.com:5432")),
                arguments("mongodb+srv URL", "mongodb+srv://admin:pa55word@cluster0.example.net/test",
                        List.of("CONNECTION_STRING mongodb+srv://admin:pa55word@cluster0.example.net")),
                arguments("HTTPS URL with credentials", "https://deploy:hunter22@git.example.com/repo.git",
                        List.of("PASSWORD https://deploy:hunter22@git.example.com")),
                arguments("JDBC password parameter", "jdbc:postgresql://db/app?user=app&password=s3cr3t&ssl=true",
                        List.of("CONNECTION_STRING jdbc:postgresql://db/app?user=app&password=s3cr3t")),
                arguments("ADO.NET string", "Server=db;Database=app;User Id=app;Password=s3cr3t;",
                        List.of("CONNECTION_STRING Server=db;Database=app;User Id=app;Password=s3cr3t")),
                arguments("URL without password", "https://user@example.com/path", List.of()),
                arguments("URL without credentials", "postgres://db.example.com/app", List.of()));
    }

    static Stream<Arguments> assignedSecret() {
        return Stream.of(
                arguments("password assignment", "password = \"Tr0ub4dor&3\"", List.of("PASSWORD Tr0ub4dor&3")),
                arguments("YAML api key", "api_key: 9f8a7c6b5d4e3f2a1b0c", List.of("API_KEY 9f8a7c6b5d4e3f2a1b0c")),
                arguments("JSON client secret", "{\"client_secret\": \"Zk3vQ9pL2mX8rT5w\"}", List.of("API_KEY Zk3vQ9pL2mX8rT5w")),
                arguments("environment reference", "password = \"${DB_PASSWORD}\"", List.of()),
                arguments("low entropy", "token = \"aaaaaaaaaaaaaaaa\"", List.of()),
                arguments("masked value", "password: ********", List.of()),
                arguments("no secret key name", "username = \"Zk3vQ9pL2mX8rT5w\"", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("email")
    void emailDetector(String label, String text, List<String> expected) {
        assertThat(found(new EmailDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("phone")
    void phoneNumberDetector(String label, String text, List<String> expected) {
        assertThat(found(new PhoneNumberDetector("US"), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("creditCard")
    void creditCardDetector(String label, String text, List<String> expected) {
        assertThat(found(new CreditCardDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iban")
    void ibanDetector(String label, String text, List<String> expected) {
        assertThat(found(new IbanDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ssn")
    void usSsnDetector(String label, String text, List<String> expected) {
        assertThat(found(new UsSsnDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipAddress")
    void ipAddressDetector(String label, String text, List<String> expected) {
        assertThat(found(new IpAddressDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crypto")
    void cryptoWalletDetector(String label, String text, List<String> expected) {
        assertThat(found(new CryptoWalletDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKey")
    void apiKeyDetector(String label, String text, List<String> expected) {
        assertThat(found(new ApiKeyDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("privateKey")
    void privateKeyDetector(String label, String text, List<String> expected) {
        assertThat(found(new PrivateKeyDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jwt")
    void jwtDetector(String label, String text, List<String> expected) {
        assertThat(found(new JwtDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bearer")
    void bearerTokenDetector(String label, String text, List<String> expected) {
        assertThat(found(new BearerTokenDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionString")
    void connectionStringDetector(String label, String text, List<String> expected) {
        assertThat(found(new ConnectionStringDetector(), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("assignedSecret")
    void assignedSecretDetector(String label, String text, List<String> expected) {
        assertThat(found(new AssignedSecretDetector(), text)).isEqualTo(expected);
    }

    /** Returns the findings as "TYPE value", in text order. */
    static List<String> found(Detector detector, String text) {
        return detector.detect(text).stream()
                .sorted(Comparator.comparingInt(Finding::start))
                .map(finding -> finding.type() + " " + text.substring(finding.start(), finding.end()))
                .toList();
    }
}
