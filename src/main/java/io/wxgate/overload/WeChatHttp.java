package io.wxgate.overload;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One WeChat API's HTTP side: its gate, and a connection pool as wide as the gate lets calls through (each admitted
 * call holds one connection for its whole wait, retries included). Idle connections are dropped before WeChat's
 * side closes them, so a reused one does not die mid-request. Every call is observed: it is timed in
 * {@code http.client.requests}, runs in the request's trace and carries it to WeChat as W3C {@code traceparent}.
 * Dispose the pool with its owner.
 */
public record WeChatHttp(ConcurrencyGate gate, ConnectionProvider connections, WebClient web, WeChatCalls calls) {

    public static WeChatHttp of(String name, URI baseUrl, Duration connectTimeout, Duration responseTimeout,
                                GateSettings gate, MeterRegistry meters, ObservationRegistry observations) {
        ConnectionProvider connections = connections(name, gate, connectTimeout.plus(responseTimeout));
        HttpClient http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()))
                .responseTimeout(responseTimeout);
        WebClient web = webClientBuilder(observations)
                .baseUrl(baseUrl.toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .build();
        return new WeChatHttp(new ConcurrencyGate(name, gate, meters), connections, web, new WeChatCalls(meters));
    }

    /**
     * A WebClient builder whose calls are observed (timed, traced, {@code traceparent} sent), with a convention that
     * keeps the query string out of the span's {@code http.url}: jscode2session and the token calls carry the
     * AppSecret or the access_token there, and a span may be exported.
     */
    public static WebClient.Builder webClientBuilder(ObservationRegistry observations) {
        return WebClient.builder()
                .observationRegistry(observations)
                .observationConvention(new WithoutQuery());
    }

    /** Spring's names and tags for client calls, with {@code uri} and {@code http.url} cut before any query. */
    static final class WithoutQuery extends DefaultClientRequestObservationConvention {
        @Override
        protected KeyValue uri(ClientRequestObservationContext context) {
            return withoutQuery(super.uri(context));
        }

        @Override
        protected KeyValue httpUrl(ClientRequestObservationContext context) {
            return withoutQuery(super.httpUrl(context));
        }

        private static KeyValue withoutQuery(KeyValue value) {
            int query = value.getValue().indexOf('?');
            return query < 0 ? value : KeyValue.of(value.getKey(), value.getValue().substring(0, query));
        }
    }

    /** The pool alone, sized by the gate, its usage in Reactor Netty's connection-provider gauges. */
    public static ConnectionProvider connections(String name, GateSettings gate, Duration acquireTimeout) {
        return ConnectionProvider.builder(name)
                .maxConnections(gate.maxLimit())
                .pendingAcquireMaxCount(gate.maxLimit())
                .pendingAcquireTimeout(acquireTimeout)
                .maxIdleTime(Duration.ofSeconds(20))
                .evictInBackground(Duration.ofSeconds(30))
                // gauges read at scrape time (reactor_netty_connection_provider_*{name}): no cost per request
                .metrics(true)
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
