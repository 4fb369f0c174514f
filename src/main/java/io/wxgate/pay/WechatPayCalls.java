package io.wxgate.pay;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.web.GatewayException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * How every call to WeChat Pay is made, APIv2 or APIv3: admitted by the gate (a busy gateway queues or refuses
 * here), through the circuit breaker (which counts only WeChat Pay's own failures), retried with backoff when the
 * failure is transient and the call safe to repeat, and mapped to the gateway's errors when it gives up.
 */
public final class WechatPayCalls {

    private static final Logger log = LoggerFactory.getLogger(WechatPayCalls.class);

    private final PayProperties properties;
    private final CircuitBreaker breaker;
    private final ConcurrencyGate gate;
    private final PayMetrics metrics;

    public WechatPayCalls(PayProperties properties, CircuitBreaker breaker, ConcurrencyGate gate, PayMetrics metrics) {
        this.properties = properties;
        this.breaker = breaker;
        this.gate = gate;
        this.metrics = metrics;
    }

    /**
     * Runs {@code work} under one admission to WeChat Pay, refusing it before it starts when the gateway is too busy
     * or WeChat Pay's circuit is open: work that writes before calling WeChat writes nothing for a request WeChat
     * would never hear of.
     */
    public <T> Mono<T> admitted(Mono<T> work) {
        return gate.reserve(Mono.defer(() -> breaker.getState() == CircuitBreaker.State.OPEN
                ? Mono.error(circuitOpen()) : work));
    }

    /**
     * A repeatable call: {@code attempt} is subscribed once per try, each a fresh request with the same content, each
     * timed with its outcome under {@code what} (a path template: never an order's number).
     */
    public <T> Mono<T> call(String what, Mono<T> attempt) {
        PayProperties.Retry retry = properties.retry();
        return gate.admit(Mono.defer(() -> metrics.wechatPayCall(what, attempt))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .retryWhen(Retry.backoff(retry.maxRetries(), retry.firstBackoff())
                        .maxBackoff(retry.maxBackoff())
                        .jitter(retry.jitter())
                        .filter(TransientPayFailure.class::isInstance)
                        .doBeforeRetry(signal -> log.info("retrying {} after {}", what, signal.failure().getMessage()))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(e -> !(e instanceof GatewayException), e -> giveUp(what, e)));
    }

    /** One exchange with its hard time cap, and transport failures as the gateway's types. */
    public <T> Mono<T> guarded(Mono<T> exchange) {
        return exchange
                // a hard cap beside Netty's response timeout, which does not cover a reply that trickles in
                .timeout(properties.connectTimeout().plus(properties.responseTimeout()))
                .onErrorMap(WebClientRequestException.class, this::transport)
                .onErrorMap(TimeoutException.class, e -> new TransientPayFailure(TransientPayFailure.Kind.TIMEOUT,
                        "no reply within " + properties.responseTimeout()));
    }

    private RuntimeException transport(WebClientRequestException e) {
        if (WeChatHttp.poolExhausted(e)) {
            return new Overloaded("WeChat Pay", properties.gate().maxWait());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReadTimeoutException || t instanceof ConnectTimeoutException) {
                return new TransientPayFailure(TransientPayFailure.Kind.TIMEOUT, "timed out: " + t.getClass().getSimpleName());
            }
            if (t instanceof ConnectException) {
                return new TransientPayFailure(TransientPayFailure.Kind.CONNECT, "cannot connect: " + t.getMessage());
            }
        }
        return new TransientPayFailure(TransientPayFailure.Kind.CONNECT, "request failed: " + e.getMessage());
    }

    private WechatPayUnavailable circuitOpen() {
        return WechatPayUnavailable.circuitOpen(properties.breaker().waitInOpenState());
    }

    private GatewayException giveUp(String what, Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return circuitOpen();
        }
        if (e instanceof TransientPayFailure t) {
            log.warn("WeChat Pay {} failed after retries: {}", what, t.getMessage());
            return t.kind() == TransientPayFailure.Kind.TIMEOUT
                    ? new WechatPayTimeout("WeChat Pay did not answer in time; retry later")
                    : new WechatPayUnavailable("WeChat Pay is unavailable (" + t.kind() + "); retry later",
                            Duration.ofSeconds(5));
        }
        log.error("unexpected failure calling WeChat Pay {}", what, e);
        return new WechatPayBadReply("unexpected failure talking to WeChat Pay");
    }
}
