package io.wxgate.pay;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.login.MiniappProperties;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayXml;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** The pieces the WeChat Pay side shares: signer, XML codec, its own HTTP client and circuit breaker, transactions. */
@Configuration(proxyBeanMethods = false)
public class PayConfig {

    @Bean
    PaySigner paySigner(PayProperties properties) {
        return new PaySigner(properties.apiKey());
    }

    @Bean
    PayV2Envelope payV2Envelope(PaySigner paySigner, PayProperties properties, MiniappProperties miniapp) {
        return new PayV2Envelope(paySigner, miniapp.appid(), properties.mchId());
    }

    @Bean
    PayXml payXml() {
        return new PayXml();
    }

    /** Admits calls to WeChat Pay: a busy gateway queues or refuses here, never in the connection pool. */
    @Bean
    ConcurrencyGate wechatPayGate(PayProperties properties, MeterRegistry meters) {
        return new ConcurrencyGate("wechat-pay", properties.gate(), meters);
    }

    // one connection per admitted call (retries are sequential within it), so the gate's limit sizes the pool
    @Bean(destroyMethod = "dispose")
    ConnectionProvider wechatPayConnections(PayProperties properties) {
        return WeChatHttp.connections("wechat-pay", properties.gate(),
                properties.connectTimeout().plus(properties.responseTimeout()));
    }

    /** Only for WeChat Pay: its own pool, connect and response timeouts. */
    @Bean
    WebClient wechatPayWebClient(PayProperties properties, ConnectionProvider wechatPayConnections) {
        HttpClient http = HttpClient.create(wechatPayConnections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(properties.connectTimeout().toMillis()))
                .responseTimeout(properties.responseTimeout());
        return WebClient.builder()
                .baseUrl(properties.baseUrl().toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .build();
    }

    /**
     * Counts only failures that say WeChat Pay is unwell (timeouts, refused connections, 5xx, SYSTEMERROR); a
     * business "no" such as ORDERPAID is a healthy answer, and the gateway's own busyness ({@code Overloaded} from
     * the gate or the pool) never reaches it.
     */
    @Bean
    CircuitBreaker wechatPayCircuitBreaker(PayProperties properties) {
        PayProperties.Breaker b = properties.breaker();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRateThreshold())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.slidingWindowSize())
                .minimumNumberOfCalls(b.minimumNumberOfCalls())
                .waitDurationInOpenState(b.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(b.permittedCallsInHalfOpenState())
                .recordException(TransientPayFailure.class::isInstance)
                .ignoreException(Overloaded.class::isInstance)
                .build();
        return CircuitBreaker.of("wechat-pay", config);
    }

    @Bean
    TransactionalOperator payTransactions(ReactiveTransactionManager transactionManager) {
        return TransactionalOperator.create(transactionManager);
    }
}
