package io.wxgate.login;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatCalls;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.overload.BreakerGauges;
import io.wxgate.web.GatewayException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

/**
 * WeChat's {@code GET /sns/jscode2session}: trades a wx.login code for openid, unionid and session_key.
 * WeChat's errcodes and transport failures come back as typed {@link GatewayException}s; the request URI
 * carries the app secret, so no exception message that could contain it is ever passed on or logged.
 */
@Component
public class Code2SessionClient implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Code2SessionClient.class);

    private final ConnectionProvider connections;
    private final WebClient web;
    private final MiniappProperties miniapp;
    private final ObjectReader replies;
    private final CircuitBreaker breaker;
    private final ConcurrencyGate gate;
    private final WeChatCalls calls;

    public Code2SessionClient(MiniappProperties miniapp, ObjectMapper json, MeterRegistry meters,
                              ObservationRegistry observations) {
        this.miniapp = miniapp;
        // resolved now, once: resolving a deserializer on first use takes a lock a burst of logins would contend for
        this.replies = json.readerFor(Reply.class);
        this.breaker = breaker(miniapp.breaker());
        // many logins wait on a slow WeChat at once: the gate lets them through up to its limit, the pool follows it
        WeChatHttp http = WeChatHttp.of("wechat-miniapp", miniapp.baseUrl(), miniapp.connectTimeout(),
                miniapp.responseTimeout(), miniapp.gate(), meters, observations);
        this.gate = http.gate();
        this.connections = http.connections();
        this.web = http.web();
        this.calls = http.calls();
        BreakerGauges.register(breaker, meters);
    }

    // WeChat down or timing out for many logins in a row: fail fast for a while rather than pile up waits
    private static CircuitBreaker breaker(MiniappProperties.Breaker settings) {
        return CircuitBreaker.of("wechat-miniapp", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(3)
                // only outages count: a bad code or a risky user says nothing about WeChat's health
                .recordException(WechatUnavailable.class::isInstance)
                .ignoreException(Overloaded.class::isInstance)
                .build());
    }

    /** Exchanges a login code; fails with {@link InvalidCode}, {@link WechatRateLimited}, {@link HighRiskUser}, {@link WechatUnavailable} or {@link WechatFailed}. */
    public Mono<WechatSession> exchange(String code) {
        Map<String, String> query = Map.of("appid", miniapp.appid(), "secret", miniapp.secret(), "code", code);
        Mono<Reply> call = web.get()
                .uri(uri -> uri.path("/sns/jscode2session")
                        .queryParam("appid", "{appid}")
                        .queryParam("secret", "{secret}")
                        .queryParam("js_code", "{code}")
                        .queryParam("grant_type", "authorization_code")
                        .build(query))
                // WeChat labels this JSON text/plain at times: read it as text and parse it here
                .accept(MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL)
                .retrieve()
                .onStatus(status -> !status.is2xxSuccessful(), response -> response.releaseBody()
                        .then(Mono.error(new WechatFailed("WeChat answered jscode2session with HTTP "
                                + response.statusCode().value()))))
                .bodyToMono(String.class)
                .switchIfEmpty(Mono.error(() -> new WechatFailed("WeChat answered jscode2session with an empty body")))
                .map(this::reply)
                .timeout(miniapp.connectTimeout().plus(miniapp.responseTimeout()).plusSeconds(1))
                .onErrorMap(e -> !(e instanceof GatewayException), this::transportFailure);
        return gate.admit(calls.timed("jscode2session", call, reply -> String.valueOf(reply.errcodeOrZero())))
                .map(this::interpret)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(CallNotPermittedException.class,
                        e -> WechatUnavailable.circuitOpen(miniapp.breaker().waitInOpenState()));
    }

    @Override
    public void destroy() {
        connections.dispose();
    }

    private Reply reply(String body) {
        Reply reply;
        try {
            reply = replies.readValue(body);
        } catch (JacksonException e) {
            throw new WechatFailed("WeChat answered jscode2session with something that is not JSON");
        }
        if (reply == null) {
            throw new WechatFailed("WeChat answered jscode2session with something that is not JSON");
        }
        return reply;
    }

    private WechatSession interpret(Reply reply) {
        int errcode = reply.errcodeOrZero();
        if (errcode != 0) {
            log.warn("jscode2session refused: errcode={} errmsg={}", errcode, reply.errmsg());
            throw switch (errcode) {
                case 40029, 40163 -> new InvalidCode(errcode);
                case 45011 -> new WechatRateLimited();
                case 40226 -> new HighRiskUser();
                case -1 -> WechatUnavailable.busy();
                default -> WechatFailed.errcode(errcode);
            };
        }
        if (isBlank(reply.openid()) || isBlank(reply.sessionKey())) {
            throw new WechatFailed("WeChat answered jscode2session without openid or session_key");
        }
        return new WechatSession(reply.openid(), isBlank(reply.unionid()) ? null : reply.unionid(), reply.sessionKey());
    }

    private Throwable transportFailure(Throwable e) {
        if (WeChatHttp.poolExhausted(e)) {
            return new Overloaded("WeChat", miniapp.gate().maxWait());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof ReadTimeoutException || t instanceof ConnectTimeoutException) {
                log.warn("jscode2session timed out ({})", t.getClass().getSimpleName());
                return WechatUnavailable.timedOut();
            }
        }
        if (e instanceof WebClientException || e instanceof IOException) {
            // the message of these names the request URI, secret included: log only the type
            log.warn("jscode2session failed in transport ({})", rootCause(e).getClass().getSimpleName());
            return WechatUnavailable.unreachable();
        }
        return e;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** jscode2session's reply, success and failure alike. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Reply(String openid, @JsonProperty("session_key") String sessionKey, String unionid,
                 Integer errcode, String errmsg) {

        int errcodeOrZero() {
            return errcode == null ? 0 : errcode;
        }

        @Override
        public String toString() {
            return "Reply[openid=" + OpenidMask.mask(openid) + ", errcode=" + errcode + "]";
        }
    }
}
