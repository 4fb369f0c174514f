package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.web.HttpLimits;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class ClientIpTest {

    private final ClientIp clientIp = new ClientIp(new HttpLimits(65536, List.of("10.0.0.5", "10.0.0.6"), 4096));

    private static MockServerHttpRequest.BaseBuilder<?> from(String peer) {
        return MockServerHttpRequest.post("/pay/").remoteAddress(new InetSocketAddress(peer, 40000));
    }

    @Test
    void withoutATrustedProxyThePeerIsTheClientWhateverTheHeaderSays() {
        assertThat(clientIp.of(from("198.51.100.7").header("X-Forwarded-For", "1.2.3.4").build())).isEqualTo("198.51.100.7");
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedHopIsTheClient() {
        assertThat(clientIp.of(from("10.0.0.5").header("X-Forwarded-For", "6.6.6.6, 203.0.113.9").build()))
                .isEqualTo("203.0.113.9");
        assertThat(clientIp.of(from("10.0.0.5").header("X-Forwarded-For", "203.0.113.9, 10.0.0.6").build()))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void aTrustedProxyWithoutTheHeaderOrWithGarbageFallsBackToTheLastTrustworthyAddress() {
        assertThat(clientIp.of(from("10.0.0.5").build())).isEqualTo("10.0.0.5");
        assertThat(clientIp.of(from("10.0.0.5").header("X-Forwarded-For", "evil.example.com").build())).isEqualTo("10.0.0.5");
    }

    @Test
    void hopsThatAreNotIpAddressesAreNotBelieved() {
        assertThat(clientIp.of(from("10.0.0.5").header("X-Forwarded-For", "abc").build())).isEqualTo("10.0.0.5");
        assertThat(clientIp.of(from("10.0.0.5").header("X-Forwarded-For", "999.1.1.1").build())).isEqualTo("10.0.0.5");
    }

    @Test
    void anIpv6ProxyMatchesWhicheverWayItIsWritten() {
        ClientIp v6 = new ClientIp(new HttpLimits(65536, List.of("::1"), 4096));
        assertThat(v6.of(from("0:0:0:0:0:0:0:1").header("X-Forwarded-For", "203.0.113.9").build())).isEqualTo("203.0.113.9");
    }

    @Test
    void aTrustedProxyThatIsNotAnAddressIsAConfigurationError() {
        assertThatThrownBy(() -> new ClientIp(new HttpLimits(65536, List.of("lb.internal"), 4096)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lb.internal");
    }
}
