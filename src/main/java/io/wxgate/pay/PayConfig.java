package io.wxgate.pay;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.micrometer.observation.ObservationRegistry;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.login.MiniappProperties;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.PayV3Envelope;
import io.wxgate.wechat.PayV3Keyring;
import io.wxgate.wechat.PayV3Verifier;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** The pieces the WeChat Pay side shares: signer, XML codec, its own HTTP client and circuit breaker, transactions. */
@Configuration(proxyBeanMethods = false)
public class PayConfig {

    /** APIv2 is there when its API key is set: for new orders under api-version v2, and for old v2 orders. */
    static final class V2Configured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String key = context.getEnvironment().getProperty("wechat.pay.api-key");
            return key != null && !key.isBlank();
        }
    }

    /** APIv3 is there when any of its credentials is set, or it is the api-version (chosen, or by default). */
    static final class V3Configured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            for (String key : PayProperties.V3.CREDENTIAL_KEYS) {
                String value = env.getProperty("wechat.pay.v3." + key);
                if (value != null && !value.isBlank()) {
                    return true;
                }
            }
            String version = env.getProperty("wechat.pay.api-version", "");
            String apiKey = env.getProperty("wechat.pay.api-key", "");
            // as PayProperties decides: chosen v3, or unset without an APIv2 key (its start-up check then names
            // the missing APIv3 settings)
            return version.equalsIgnoreCase("v3") || (version.isBlank() && apiKey.isBlank());
        }
    }

    @Bean
    @Conditional(V2Configured.class)
    PaySigner paySigner(PayProperties properties) {
        return new PaySigner(properties.apiKey());
    }

    @Bean
    @Conditional(V2Configured.class)
    PayV2Envelope payV2Envelope(PaySigner paySigner, PayProperties properties, MiniappProperties miniapp) {
        return new PayV2Envelope(paySigner, miniapp.appid(), properties.mchId());
    }

    @Bean
    @Conditional(V2Configured.class)
    WechatPayClient wechatPayClient(WebClient wechatPayWebClient, PayProperties properties, MiniappProperties miniapp,
                                    PaySigner paySigner, PayV2Envelope payV2Envelope, PayXml payXml, PayRandom random,
                                    WechatPayCalls wechatPayCalls) {
        return new WechatPayClient(wechatPayWebClient, properties, miniapp, paySigner, payV2Envelope, payXml, random,
                wechatPayCalls);
    }

    @Bean
    @Conditional(V3Configured.class)
    PayV3Credentials payV3Credentials(PayProperties properties) {
        return PayV3Credentials.load(properties.mchId(), properties.v3());
    }

    /** Certificate (or both) mode only: the platform certificates, refreshed in the background. */
    @Bean
    @Conditional(V3Configured.class)
    PlatformCertificates payV3Certificates(PayProperties properties, ObjectProvider<WechatPayV3Client> client) {
        return new PlatformCertificates(properties.v3().certificateRefresh(),
                () -> properties.v3().verification() == PayProperties.Verification.PUBLIC_KEY ? Mono.empty()
                        : client.getObject().downloadCertificates());
    }

    /**
     * Readiness in certificate mode: DOWN until the platform certificates are downloaded, as nothing WeChat Pay signs
     * can be checked before; always UP otherwise (the contributor exists in every mode, as the readiness group
     * names it).
     */
    @Bean
    ReactiveHealthIndicator wechatPayCertificatesHealthIndicator(ObjectProvider<PlatformCertificates> certificates,
                                                                 PayProperties properties) {
        return () -> Mono.fromSupplier(() -> {
            PlatformCertificates held = certificates.getIfAvailable();
            boolean needed = held != null && properties.v3().verification() == PayProperties.Verification.CERTIFICATE;
            return !needed || held.loaded() ? Health.up().build()
                    : Health.down().withDetail("reason", "WeChat Pay platform certificates not downloaded yet").build();
        });
    }

    /** The keys WeChat Pay's signatures are checked with: its public key, its certificates, or both. */
    @Bean
    @Conditional(V3Configured.class)
    PayV3Verifier payV3Verifier(PayV3Credentials credentials, PlatformCertificates certificates) {
        PayV3Keyring publicKey = PayV3Keyring.of(credentials.publicKeyId().isPresent() && credentials.publicKey().isPresent()
                ? Map.of(credentials.publicKeyId().get(), credentials.publicKey().get()) : Map.of());
        return new PayV3Verifier(switch (credentials.verification()) {
            case PUBLIC_KEY -> publicKey;
            case CERTIFICATE -> certificates;
            case BOTH -> publicKey.or(certificates);
        });
    }

    @Bean
    @Conditional(V3Configured.class)
    WechatPayV3Client wechatPayV3Client(WebClient wechatPayWebClient, PayProperties properties, MiniappProperties miniapp,
                                        PayV3Credentials credentials, PayV3Verifier payV3Verifier,
                                        PlatformCertificates certificates, PayRandom random, WechatPayCalls wechatPayCalls) {
        Supplier<String> serial = credentials.publicKeyId().isPresent() ? () -> credentials.publicKeyId().get()
                : certificates::newestSerial;
        return new WechatPayV3Client(wechatPayWebClient, properties, miniapp.appid(), credentials, payV3Verifier, serial,
                random, wechatPayCalls, JsonMapper.builder().build());
    }

    @Bean
    @Conditional(V3Configured.class)
    PayV3Envelope payV3Envelope(PayV3Verifier payV3Verifier, PayV3Credentials credentials, MiniappProperties miniapp) {
        return new PayV3Envelope(payV3Verifier, credentials.cipher(), miniapp.appid(), credentials.mchid(),
                JsonMapper.builder().build());
    }

    @Bean
    WechatPayCalls wechatPayCalls(PayProperties properties, CircuitBreaker wechatPayCircuitBreaker,
                                  ConcurrencyGate wechatPayGate, PayMetrics payMetrics) {
        return new WechatPayCalls(properties, wechatPayCircuitBreaker, wechatPayGate, payMetrics);
    }

    /** New orders to the configured API version, existing ones to the version they were placed with. */
    @Bean
    WechatPay wechatPay(WechatPayCalls wechatPayCalls, PayProperties properties, Optional<WechatPayClient> v2,
                        Optional<WechatPayV3Client> v3) {
        return new WechatPay(wechatPayCalls, v2.map(WechatPayApi.class::cast), v3.map(WechatPayApi.class::cast),
                properties.newOrderSignType());
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
    WebClient wechatPayWebClient(PayProperties properties, ConnectionProvider wechatPayConnections,
                                 ObservationRegistry observations) {
        HttpClient http = HttpClient.create(wechatPayConnections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(properties.connectTimeout().toMillis()))
                .responseTimeout(properties.responseTimeout());
        return WeChatHttp.webClientBuilder(observations)
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
                // admitted() refuses while OPEN without asking the breaker, so it must leave OPEN by itself
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
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
