package io.wxgate.overload;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One WeChat API's HTTP side: its gate, and a connection pool as wide as the gate lets calls through (each admitted
 * call holds one connection for its whole wait, retries included). Idle connections are dropped before WeChat's
 * side closes them, so a reused one does not die mid-request. Dispose the pool with its owner.
 */
public record WeChatHttp(ConcurrencyGate gate, ConnectionProvider connections, WebClient web) {

    public static WeChatHttp of(String name, URI baseUrl, Duration connectTimeout, Duration responseTimeout,
                                GateSettings gate, MeterRegistry meters) {
        ConnectionProvider connections = connections(name, gate, connectTimeout.plus(responseTimeout));
        HttpClient http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()))
                .responseTimeout(responseTimeout);
        WebClient web = WebClient.builder()
                .baseUrl(baseUrl.toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .build();
        return new WeChatHttp(new ConcurrencyGate(name, gate, meters), connections, web);
    }

    /** The pool alone, sized by the gate. */
    public static ConnectionProvider connections(String name, GateSettings gate, Duration acquireTimeout) {
        return ConnectionProvider.builder(name)
                .maxConnections(gate.maxLimit())
                .pendingAcquireMaxCount(gate.maxLimit())
                .pendingAcquireTimeout(acquireTimeout)
                .maxIdleTime(Duration.ofSeconds(20))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
    }

    /** True when {@code e} (or a cause) is our own pool being full: the gateway is busy, WeChat is not at fault. */
    public static boolean poolExhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // reactor-pool's exceptions live in a package Reactor Netty shades
            if (t.getClass().getSimpleName().startsWith("PoolAcquire")) {
                return true;
            }
        }
        return false;
    }
}
