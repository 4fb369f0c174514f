package io.wxgate.pay;

import io.wxgate.web.HttpLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The payer's IP for spbill_create_ip. {@code X-Forwarded-For} is believed only when the TCP peer is one of
 * {@code gateway.http.trusted-proxies}; then the right-most address not itself a trusted proxy is the client.
 */
@Component
public class ClientIp {

    // literal IPv4/IPv6 text only: nothing here may trigger a DNS lookup
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final List<String> trustedProxies;

    public ClientIp(HttpLimits limits) {
        this.trustedProxies = limits.trustedProxies();
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
                String hop = hops[i].trim();
                if (!LITERAL.matcher(hop).matches()) {
                    return client;
                }
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
