package io.portcullis.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceResolverTest {

    private static final SourceResolver RESOLVER = new SourceResolver(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

    /** Lists the cases, each with a label, the peer, the X-Forwarded-For header lines, and the expected source address. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("untrusted peer ignores the header", "203.0.113.9", List.of("198.51.100.1"),
                        "203.0.113.9"),
                Arguments.of("trusted range", "10.1.2.3", List.of("198.51.100.1, 10.1.2.3"), "198.51.100.1"),
                Arguments.of("trusted single address", "192.0.2.7", List.of("198.51.100.1"), "198.51.100.1"),
                Arguments.of("neighbour of a trusted address", "192.0.2.8", List.of("198.51.100.1"), "192.0.2.8"),
                Arguments.of("first of several header lines", "10.0.0.1", List.of("198.51.100.1", "198.51.100.2"),
                        "198.51.100.1"),
                Arguments.of("trusted IPv6 range", "fd12::1", List.of("2001:db8::5"), "2001:db8::5"),
                Arguments.of("no header", "10.0.0.1", List.of(), "10.0.0.1"),
                Arguments.of("host name in the header", "10.0.0.1", List.of("attacker.example"), "10.0.0.1"),
                Arguments.of("empty first entry", "10.0.0.1", List.of(" , 198.51.100.1"), "10.0.0.1"),
                Arguments.of("unknown peer", null, List.of("198.51.100.1"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sourceAddressIsResolved(String label, String peer, List<String> forwardedFor, String expected) {
        assertThat(RESOLVER.address(peer, forwardedFor)).isEqualTo(expected);
    }

    @Test
    void noTrustedProxyIgnoresHeader() {
        assertThat(new SourceResolver(List.of()).address("127.0.0.1", List.of("198.51.100.1"))).isEqualTo("127.0.0.1");
    }

    @Test
    void invalidEntryFailsWithKey() {
        for (String entry : List.of("proxy.example", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129")) {
            assertThatThrownBy(() -> new SourceResolver(List.of(entry)))
                    .as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("portcullis.policy.trusted-proxies")
                    .hasMessageContaining(entry);
        }
    }
}
