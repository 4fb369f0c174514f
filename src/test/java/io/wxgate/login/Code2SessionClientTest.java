package io.wxgate.login;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxgate.overload.GateSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.web.GatewayException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * jscode2session against a tiny stand-in that answers what real WeChat answers and the sandbox does not:
 * 45011, 40226, -1, text/plain bodies, garbage, HTTP errors, silence. Each js_code picks one answer.
 */
class Code2SessionClientTest {

    private static final String SUCCESS = "{\"session_key\":\"tiihtNczf5v6AKRyjwEUhQ==\",\"openid\":\"oGZUI0egBJY1zhBYw2KhdUfwVJJE\"}";
    private static DisposableServer wechat;
    private static final List<Map<String, List<String>>> queries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startStandIn() {
        wechat = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/sns/jscode2session", (request, response) -> {
                    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
                    queries.add(query);
                    String code = query.get("js_code").get(0);
                    return switch (code) {
                        case "ok-text-plain" -> response.header("Content-Type", "text/plain").sendString(Mono.just(SUCCESS)).then();
                        case "ok-with-unionid" -> response.header("Content-Type", "application/json")
                                .sendString(Mono.just("{\"session_key\":\"k2Vp1Xk0b1Jcm9tWjJTQ3g==\",\"openid\":\"oUser2\",\"unionid\":\"oUnion2\"}")).then();
                        case "slow" -> Mono.delay(Duration.ofSeconds(3)).then(response.sendString(Mono.just(SUCCESS)).then());
                        case "garbage" -> response.header("Content-Type", "text/html").sendString(Mono.just("<html>busy</html>")).then();
                        case "http500" -> response.status(HttpResponseStatus.INTERNAL_SERVER_ERROR).sendString(Mono.just("oops")).then();
                        case "no-session-key" -> response.sendString(Mono.just("{\"openid\":\"oUser3\"}")).then();
                        default -> response.header("Content-Type", "text/plain")
                                .sendString(Mono.just("{\"errcode\":" + code.substring(1) + ",\"errmsg\":\"stand-in, rid: 1\"}")).then();
                    };
                }))
                .bindNow();
    }

    @AfterAll
    static void stopStandIn() {
        wechat.disposeNow();
    }

    private static Code2SessionClient clientFor(String baseUrl) {
        return new Code2SessionClient(new MiniappProperties("wx5ca7b1e1d1b0a001", "s3cret+/=&", URI.create(baseUrl),
                Duration.ofMillis(500), Duration.ofMillis(700), MiniappProperties.Breaker.DEFAULTS, GateSettings.DEFAULTS), JsonMapper.builder().build(),
                new SimpleMeterRegistry(), io.micrometer.observation.ObservationRegistry.NOOP);
    }

    private static Code2SessionClient client() {
        return clientFor("http://127.0.0.1:" + wechat.port());
    }

    private static GatewayException failureOf(String code) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> client().exchange(code).block(Duration.ofSeconds(10)));
        assertThat(thrown).isInstanceOf(GatewayException.class);
        return (GatewayException) thrown;
    }

    @Test
    void successLabelledTextPlainIsReadAsJson() {
        WechatSession session = client().exchange("ok-text-plain").block(Duration.ofSeconds(10));

        assertThat(session.openid()).isEqualTo("oGZUI0egBJY1zhBYw2KhdUfwVJJE");
        assertThat(session.sessionKey()).isEqualTo("tiihtNczf5v6AKRyjwEUhQ==");
        assertThat(session.unionid()).isNull();
        assertThat(session.toString()).doesNotContain("tiihtNczf5v6AKRyjwEUhQ==").doesNotContain("oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    }

    @Test
    void unionidIsPassedOnWhenWechatSendsIt() {
        WechatSession session = client().exchange("ok-with-unionid").block(Duration.ofSeconds(10));

        assertThat(session.unionid()).isEqualTo("oUnion2");
    }

    @Test
    void requestCarriesAppidSecretCodeAndGrantTypeEncoded() {
        queries.clear();
        client().exchange("ok-text-plain").block(Duration.ofSeconds(10));

        assertThat(queries).singleElement().satisfies(q -> {
            assertThat(q.get("appid")).containsExactly("wx5ca7b1e1d1b0a001");
            assertThat(q.get("secret")).containsExactly("s3cret+/=&");
            assertThat(q.get("js_code")).containsExactly("ok-text-plain");
            assertThat(q.get("grant_type")).containsExactly("authorization_code");
        });
    }

    @Test
    void invalidCodeAndCodeAlreadyUsedBothMeanInvalidCode() {
        for (String code : List.of("e40029", "e40163")) {
            GatewayException e = failureOf(code);
            assertThat(e).isInstanceOf(InvalidCode.class);
            assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.code()).isEqualTo("invalid_code");
            assertThat(e.seedCode()).isEqualTo(2);
        }
    }

    @Test
    void rateLimitIsTooManyRequests() {
        GatewayException e = failureOf("e45011");
        assertThat(e).isInstanceOf(WechatRateLimited.class);
        assertThat(e.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    }

    @Test
    void highRiskUserIsForbidden() {
        GatewayException e = failureOf("e40226");
        assertThat(e).isInstanceOf(HighRiskUser.class);
        assertThat(e.status()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void busyWechatIsServiceUnavailable() {
        GatewayException e = failureOf("e-1");
        assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(e.code()).isEqualTo("wechat_busy");
    }

    @Test
    void anyOtherErrcodeIsBadGatewayNamingTheErrcode() {
        GatewayException e = failureOf("e40013");
        assertThat(e).isInstanceOf(WechatFailed.class);
        assertThat(e.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(e.getMessage()).contains("40013");
    }

    @Test
    void replyThatIsNotJsonIsBadGateway() {
        GatewayException e = failureOf("garbage");
        assertThat(e.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(e.getMessage()).contains("not JSON");
    }

    @Test
    void httpErrorFromWechatIsBadGateway() {
        GatewayException e = failureOf("http500");
        assertThat(e.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(e.getMessage()).contains("HTTP 500");
    }

    @Test
    void replyWithoutSessionKeyIsBadGateway() {
        GatewayException e = failureOf("no-session-key");
        assertThat(e.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
    }

    @Test
    void silentWechatTimesOutAsGatewayTimeout() {
        long started = System.nanoTime();
        GatewayException e = failureOf("slow");

        assertThat(e.status()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
        assertThat(e.code()).isEqualTo("wechat_timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void unreachableWechatIsServiceUnavailableWithoutLeakingTheSecret() {
        Code2SessionClient client = clientFor("http://127.0.0.1:" + EmbeddedServers.freePort());

        assertThatThrownBy(() -> client.exchange("any").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.code()).isEqualTo("wechat_unreachable");
                    assertThat(e.getMessage()).doesNotContain("s3cret");
                });
    }

    @Test
    void whileWeChatKeepsTimingOutTheBreakerOpensAndLoginsFailFastWithoutCallingIt() {
        Code2SessionClient client = client();
        List<String> outcomes = reactor.core.publisher.Flux.range(0, 10)
                .flatMap(i -> client.exchange("slow").map(session -> "answered")
                        .onErrorResume(GatewayException.class, e -> Mono.just(e.code())))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(outcomes).hasSize(10).containsOnly("wechat_timeout");

        int callsBefore = queries.size();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> client.exchange("ok-text-plain").block(Duration.ofSeconds(10)));
        assertThat(((GatewayException) t).code()).isEqualTo("wechat_unavailable");
        assertThat(((GatewayException) t).status().value()).isEqualTo(503);
        assertThat(queries).as("WeChat is not called while the breaker is open").hasSize(callsBefore);
    }

    @Test
    void refusalsOfCodesDoNotOpenTheBreaker() {
        Code2SessionClient client = client();
        for (int i = 0; i < 12; i++) {
            org.assertj.core.api.Assertions.catchThrowable(() -> client.exchange("e40029").block(Duration.ofSeconds(10)));
        }
        assertThat(client.exchange("ok-text-plain").block(Duration.ofSeconds(10)).openid()).isEqualTo("oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    }
}
