package io.portcullis.policy;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the source address of a request. {@code X-Forwarded-For} can be set by anyone, so it
 * counts only when the direct peer is one of {@code portcullis.policy.trusted-proxies}.
 */
@Startup
@ApplicationScoped
public class SourceResolver {

    private static final String FORWARDED_FOR = "X-Forwarded-For";

    private final List<IpSubnetFilterRule> trustedProxies;

    @Inject
    public SourceResolver(PolicyConfig config) {
        this(config.trustedProxies().orElse(List.of()));
    }

    SourceResolver(List<String> trustedProxies) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String entry : trustedProxies) {
            if (!entry.isBlank()) {
                rules.add(rule(entry.strip()));
            }
        }
        this.trustedProxies = List.copyOf(rules);
    }

    public Source resolve(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        String peerAddress = peer == null ? null : peer.hostAddress();
        return new Source(address(peerAddress, request.headers().getAll(FORWARDED_FOR)),
                request.getHeader("User-Agent"));
    }

    /**
     * Returns the first {@code X-Forwarded-For} address when the peer is trusted and that address
     * is an IP literal, else the peer's address.
     */
    String address(String peer, List<String> forwardedFor) {
        if (peer == null || forwardedFor.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        String first = forwardedFor.get(0).split(",", 2)[0].strip();
        return isIpLiteral(first) ? first : peer;
    }

    private boolean isTrusted(String peer) {
        if (trustedProxies.isEmpty() || !isIpLiteral(peer)) {
            return false;
        }
        InetSocketAddress address = new InetSocketAddress(literal(peer), 0);
        return trustedProxies.stream().anyMatch(rule -> rule.matches(address));
    }

    private static boolean isIpLiteral(String value) {
        return NetUtil.isValidIpV4Address(value) || NetUtil.isValidIpV6Address(value);
    }

    /** Converts an IP literal without a DNS lookup. */
    private static InetAddress literal(String value) {
        try {
            return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(value));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(value + " is not an IP address", e);
        }
    }

    private static IpSubnetFilterRule rule(String entry) {
        String[] parts = entry.split("/", 2);
        try {
            if (!isIpLiteral(parts[0])) {
                throw new IllegalArgumentException("not an IP address");
            }
            int maxBits = NetUtil.isValidIpV4Address(parts[0]) ? 32 : 128;
            int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : maxBits;
            if (bits < 0 || bits > maxBits) {
                throw new IllegalArgumentException("the prefix length must be from 0 to " + maxBits);
            }
            return new IpSubnetFilterRule(literal(parts[0]), bits, IpFilterRuleType.ACCEPT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("portcullis.policy.trusted-proxies contains '" + entry + "', which is"
                    + " invalid: " + e.getMessage() + ". List IP addresses or CIDR ranges, such as 10.0.0.0/8.");
        }
    }
}
