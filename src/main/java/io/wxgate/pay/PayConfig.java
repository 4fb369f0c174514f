package io.wxgate.pay;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.channel.ChannelOption;
import io.wxgate.wechat.PaySigner;
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
    PayXml payXml() {
        return new PayXml();
    }

    @Bean(destroyMethod = "dispose")
    ConnectionProvider wechatPayConnections(PayProperties properties) {
        return ConnectionProvider.builder("wechat-pay")
                .maxConnections(50)
                .pendingAcquireMaxCount(500)
                .pendingAcquireTimeout(properties.connectTimeout().plus(properties.responseTimeout()))
                .build();
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
     * business "no" such as ORDERPAID is a healthy answer.
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
                .build();
        return CircuitBreaker.of("wechat-pay", config);
    }

    @Bean
    TransactionalOperator payTransactions(ReactiveTransactionManager transactionManager) {
        return TransactionalOperator.create(transactionManager);
    }
}
