package io.wxgate.pay;

import io.wxgate.web.HttpLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The payer's IP for spbill_create_ip. {@code X-Forwarded-For} is believed only when the TCP peer is one of
 * {@code gateway.http.trusted-proxies}; then the right-most address not itself a trusted proxy is the client.
 */
@Component
public class ClientIp {

    // literal IPv4/IPv6 text only, so that InetAddress.getByName below never triggers a DNS lookup
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final Set<String> trustedProxies;

    public ClientIp(HttpLimits limits) {
        Set<String> trusted = new HashSet<>();
        for (String proxy : limits.trustedProxies()) {
            trusted.add(canonical(proxy.trim()).orElseThrow(() -> new IllegalArgumentException(
                    "gateway.http.trusted-proxies: '" + proxy + "' is not an IP address")));
        }
        this.trustedProxies = Set.copyOf(trusted);
    }

    // an out-of-range dotted quad such as 999.1.1.1 would make InetAddress fall back to a DNS lookup
    private static boolean isIpv4(String text) {
        if (!IPV4.matcher(text).matches()) {
            return false;
        }
        for (String octet : text.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The address in Java's canonical text form ("::1" and "0:0:0:0:0:0:0:1" alike), if it is a literal IP. */
    static Optional<String> canonical(String text) {
        boolean literal = isIpv4(text) || (text.indexOf(':') >= 0 && IPV6.matcher(text).matches());
        if (!literal) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text).getHostAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public String of(ServerHttpRequest request) {
        String peer = peer(request);
        if (!trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().getOrEmpty("X-Forwarded-For");
        String client = peer;
        for (int h = forwarded.size() - 1; h >= 0; h--) {
            String[] hops = forwarded.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                Optional<String> parsed = canonical(hops[i].trim());
                if (parsed.isEmpty()) {
                    return client;
                }
                String hop = parsed.get();
                client = hop;
                if (!trustedProxies.contains(hop)) {
                    return hop;
                }
            }
        }
        return client;
    }

    private static String peer(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote == null) {
            return "127.0.0.1";
        }
        InetAddress address = remote.getAddress();
        return address == null ? remote.getHostString() : address.getHostAddress();
    }
}
