package io.wxgate.accesstoken;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxgate.login.MiniappProperties;
import io.wxgate.login.WechatUnavailable;
import io.wxgate.testing.TestServers;
import io.wxgate.web.GatewayException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The access_token service against a scripted WeChat (a local HTTP server) and the real Redis: what happens when
 * stable_token keeps handing back the token a call was refused with (force_refresh, within its limits), and how
 * each of WeChat's token errcodes reaches a client.
 */
class AccessTokenServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, Integer> calls = new ConcurrentHashMap<>();
    private final AtomicReference<String> stableToken = new AtomicReference<>("T1");
    private final AtomicReference<String> refusedToken = new AtomicReference<>("");
    private final AtomicReference<String> tokenReply = new AtomicReference<>(null);
    private final AtomicInteger forces = new AtomicInteger();
    private DisposableServer wechat;
    private LettuceConnectionFactory redisFactory;
    private AccessTokenService service;
    private WeChatApiClient client;
    private String appid;

    @BeforeEach
    void start() {
        wechat = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .post("/cgi-bin/stable_token", (request, response) -> request.receive().aggregate().asString()
                                .flatMap(body -> {
                                    boolean force = JSON.readTree(body).path("force_refresh").asBoolean(false);
                                    calls.merge(force ? "force" : "stable", 1, Integer::sum);
                                    if (force) {
                                        forces.incrementAndGet();
                                        stableToken.set("T" + (forces.get() + 1));
                                    }
                                    String reply = tokenReply.get() != null ? tokenReply.get()
                                            : "{\"access_token\":\"" + stableToken.get() + "\",\"expires_in\":7200}";
                                    return response.header("Content-Type", "text/plain").sendString(Mono.just(reply)).then();
                                }))
                        .get("/cgi-bin/token", (request, response) -> {
                            calls.merge("classic", 1, Integer::sum);
                            String reply = "{\"access_token\":\"C" + calls.get("classic") + "\",\"expires_in\":7200}";
                            return response.sendString(Mono.just(reply)).then();
                        })
                        .post("/wxa/echo", (request, response) -> {
                            String token = request.uri().replaceAll(".*access_token=([^&]*).*", "$1");
                            String reply = token.equals(refusedToken.get()) ? "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}"
                                    : "{\"errcode\":0,\"errmsg\":\"ok\",\"token\":\"" + token + "\"}";
                            return request.receive().then(response.sendString(Mono.just(reply)).then());
                        }))
                .bindNow();
        appid = "wxTestAccessToken" + System.nanoTime();
        MiniappProperties miniapp = new MiniappProperties(appid, "secret-for-this-test", URI.create("http://127.0.0.1:" + wechat.port()),
                Duration.ofSeconds(2), Duration.ofSeconds(2), MiniappProperties.Breaker.DEFAULTS, io.wxgate.overload.GateSettings.DEFAULTS);
        redisFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", TestServers.get().redisPort()));
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        client = new WeChatApiClient(miniapp, JSON, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                io.micrometer.observation.ObservationRegistry.NOOP);
        service = new AccessTokenService(client, new ReactiveStringRedisTemplate(redisFactory), AccessTokenProperties.DEFAULTS,
                miniapp, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        new ReactiveStringRedisTemplate(redisFactory).delete(AccessTokenService.TOKEN_PREFIX + appid,
                AccessTokenService.FORCE_SPACING_PREFIX + appid, AccessTokenService.LOCK_PREFIX + appid,
                AccessTokenService.FORCE_COUNT_PREFIX + appid + ":" + java.time.LocalDate.now(java.time.ZoneOffset.UTC))
                .block(Duration.ofSeconds(5));
        client.destroy();
        redisFactory.destroy();
        wechat.disposeNow();
    }

    private String echo() {
        return service.call(token -> client.post("/wxa/echo", token, Map.of()))
                .map(reply -> reply.get("token").asString()).block(Duration.ofSeconds(10));
    }

    @Test
    void aRefusedTokenThatStableTokenHandsBackIsForceRefreshedOnceAndNotAgainWithin30Seconds() {
        assertThat(echo()).isEqualTo("T1");
        refusedToken.set("T1"); // WeChat now refuses T1, yet stable_token (normal mode) still answers T1

        assertThat(echo()).isEqualTo("T2");
        assertThat(forces.get()).isEqualTo(1);

        refusedToken.set("T2"); // and again, right away: a second force_refresh would be within 30 s of the first
        GatewayException refused = (GatewayException) org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class, this::echo);
        assertThat(refused.code()).isEqualTo("wechat_force_refresh_limited");
        assertThat(refused.status().value()).isEqualTo(503);
        assertThat(forces.get()).isEqualTo(1);
    }

    @Test
    void theTokenIsFetchedOnceAndReusedFromRedis() {
        assertThat(echo()).isEqualTo("T1");
        assertThat(echo()).isEqualTo("T1");
        assertThat(echo()).isEqualTo("T1");

        assertThat(calls).containsEntry("stable", 1).doesNotContainKey("force");
    }

    @Test
    void theClassicSourceTakesTokensFromCgiBinTokenAndReplacesARefusedOne() {
        AccessTokenProperties classic = new AccessTokenProperties(AccessTokenProperties.Source.CLASSIC, Duration.ofMinutes(4),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(50), 20, Duration.ofSeconds(30));
        MiniappProperties miniapp = new MiniappProperties(appid, "secret-for-this-test", URI.create("http://127.0.0.1:" + wechat.port()),
                Duration.ofSeconds(2), Duration.ofSeconds(2), MiniappProperties.Breaker.DEFAULTS, io.wxgate.overload.GateSettings.DEFAULTS);
        service = new AccessTokenService(client, new ReactiveStringRedisTemplate(redisFactory), classic, miniapp, new SimpleMeterRegistry());

        assertThat(echo()).isEqualTo("C1");
        assertThat(echo()).isEqualTo("C1");
        refusedToken.set("C1");
        assertThat(echo()).isEqualTo("C2");

        assertThat(calls).containsEntry("classic", 2).doesNotContainKey("stable");
    }

    @ParameterizedTest
    @CsvSource({
            "40013, 502, wechat_misconfigured",
            "40125, 502, wechat_misconfigured",
            "40164, 502, wechat_misconfigured",
            "45009, 503, wechat_quota_exhausted",
            "89503, 503, wechat_needs_confirmation",
            "-1, 503, wechat_busy",
            "40099, 502, wechat_error"})
    void wechatsTokenErrcodesBecomeClearErrors(int errcode, int status, String code) {
        tokenReply.set("{\"errcode\":" + errcode + ",\"errmsg\":\"scripted\"}");

        GatewayException error = (GatewayException) org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class, this::echo);

        assertThat(error.status().value()).isEqualTo(status);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.getMessage()).doesNotContain("secret-for-this-test");
        if (errcode == -1) {
            assertThat(error).isInstanceOf(WechatUnavailable.class);
        }
    }
}
