package io.wxgate.pay;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.wxgate.overload.GateSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.wxgate.login.MiniappProperties;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import io.wxgate.overload.Overloaded;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The client against a scripted fake WeChat Pay on a loopback port: what it believes, what it retries (always the
 * very same signed request), and the error type each kind of answer becomes.
 */
class WechatPayClientTest {

    /** A scripted answer: HTTP status and body. */
    record Answer(int status, String body) {
    }

    private final PaySigner signer = new PaySigner(TestWorld.API_KEY);
    private final PayXml xml = new PayXml();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile Function<Map<String, String>, Answer> script;
    private DisposableServer server;
    private volatile Duration delay = Duration.ZERO;
    private WechatPayClient client;
    private WechatPayCalls calls;
    private CircuitBreaker breaker;

    @BeforeEach
    void fakeWeChatPay() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/pay/{call}", (request, response) -> request.receive().aggregate().asString()
                        .defaultIfEmpty("")
                        .flatMap(body -> {
                            received.add(body);
                            Answer a = script.apply(xml.read(body));
                            return response.status(a.status()).header("Content-Type", "text/xml")
                                    .sendString(delay.isZero() ? Mono.just(a.body()) : Mono.just(a.body()).delayElement(delay)).then();
                        })))
                .bindNow();
        client = client(new PayProperties.Breaker(50, 100, 100, Duration.ofSeconds(30), 3), GateSettings.DEFAULTS);
    }

    private WechatPayClient client(PayProperties.Breaker breakerSettings, GateSettings gate) {
        PayProperties properties = new PayProperties(TestWorld.MCH_ID, TestWorld.API_KEY,
                URI.create("http://127.0.0.1:" + server.port()), URI.create("https://gateway.test/api/v1/pay/notify"),
                SignType.MD5, 1_000_000, "wxgate order", Duration.ofHours(2), Duration.ofMinutes(5),
                Duration.ofMillis(500), Duration.ofMillis(700),
                new PayProperties.Retry(2, Duration.ofMillis(10), Duration.ofMillis(50), 0.5), breakerSettings, gate,
                new PayProperties.Reconciler(false, Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(2), 50),
                PayProperties.ApiVersion.V2, new PayProperties.V3(null, null, null, null, null,
                        PayProperties.Verification.PUBLIC_KEY, null, null, null, Duration.ofHours(12)));
        PayConfig config = new PayConfig();
        breaker = config.wechatPayCircuitBreaker(properties);
        calls = new WechatPayCalls(properties, breaker,
                config.wechatPayGate(properties, new SimpleMeterRegistry()), new PayMetrics(new SimpleMeterRegistry()));
        return new WechatPayClient(config.wechatPayWebClient(properties, config.wechatPayConnections(properties),
                ObservationRegistry.NOOP),
                properties, new MiniappProperties(TestWorld.APPID, TestWorld.SECRET, URI.create("http://unused.test"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), MiniappProperties.Breaker.DEFAULTS, GateSettings.DEFAULTS),
                signer, new PayV2Envelope(signer, TestWorld.APPID, TestWorld.MCH_ID), xml, new PayRandom(), calls);
    }

    @AfterEach
    void stop() {
        server.disposeNow();
    }

    private static PayOrder order(SignType type) {
        return PayOrder.newOrder("20261124000000abcdefghijklmnopqr", "oTestOpenid0000000000000001", "k", 100, "wxgate order",
                "203.0.113.9", type, Instant.now());
    }

    /** A reply as WeChat signs it, for the request's sign type. */
    private String reply(Map<String, String> request, Map<String, String> extra) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", TestWorld.APPID);
        f.put("mch_id", TestWorld.MCH_ID);
        f.put("nonce_str", "replyNonce0123456789");
        f.put("result_code", "SUCCESS");
        f.putAll(extra);
        SignType type = SignType.fromWire(request.get("sign_type")).orElseThrow();
        f.put("sign", signer.sign(f, type));
        return xml.write(f);
    }

    private Answer prepay(Map<String, String> request) {
        return new Answer(200, reply(request, Map.of("prepay_id", "wx2026prepay0001", "trade_type", "JSAPI")));
    }

    @Test
    void unifiedOrderSendsASignedJsapiRequestAndBelievesASignedReply() {
        script = this::prepay;
        Map<String, String> answer = client.unifiedOrder(order(SignType.HMAC_SHA256)).block(Duration.ofSeconds(5));
        assertThat(answer).containsEntry("prepay_id", "wx2026prepay0001");
        Map<String, String> sent = xml.read(received.get(0));
        assertThat(sent).containsEntry("trade_type", "JSAPI").containsEntry("total_fee", "100")
                .containsEntry("openid", "oTestOpenid0000000000000001").containsEntry("sign_type", "HMAC-SHA256")
                .containsEntry("notify_url", "https://gateway.test/api/v1/pay/notify")
                .containsEntry("spbill_create_ip", "203.0.113.9");
        assertThat(sent.get("nonce_str")).hasSize(32);
        assertThat(signer.verify(sent, SignType.HMAC_SHA256)).isTrue();
    }

    @Test
    void unifiedOrderSendsATimeExpireFixedByTheOrdersCreationInBeijingTime() {
        script = this::prepay;
        PayOrder placed = PayOrder.newOrder("20261124000000abcdefghijklmnopqr", "oTestOpenid0000000000000001", "k", 100,
                "wxgate order", "203.0.113.9", SignType.MD5, Instant.parse("2026-11-24T01:02:03Z"));
        client.unifiedOrder(placed).block(Duration.ofSeconds(5));
        client.unifiedOrder(placed).block(Duration.ofSeconds(5));
        // created 09:02:03 in Beijing, payable for the 2 h prepay validity; a renewal sends the very same
        assertThat(xml.read(received.get(0))).containsEntry("time_expire", "20261124110203");
        assertThat(xml.read(received.get(1))).containsEntry("time_expire", "20261124110203");
    }

    @Test
    void aBusyGatewayRefusesTheExcessFastAndNeverOpensTheBreaker() {
        // two calls in flight, two waiting at most, WeChat Pay healthy but taking 300 ms: 30 at once overflow the gate
        WechatPayClient busy = client(new PayProperties.Breaker(50, 10, 5, Duration.ofSeconds(30), 3),
                new GateSettings(2, 2, 1, Duration.ofSeconds(2), 2));
        script = this::prepay;
        delay = Duration.ofMillis(300);
        List<Object> outcomes = Flux.range(0, 30)
                .flatMap(i -> busy.unifiedOrder(order(SignType.MD5)).<Object>map(reply -> "paid")
                        .onErrorResume(e -> Mono.just(e.getClass())), 30)
                .collectList().block(Duration.ofSeconds(10));

        assertThat(outcomes).filteredOn("paid"::equals).hasSize(4);
        assertThat(outcomes).filteredOn(Overloaded.class::equals).hasSize(26);
        // four calls reached WeChat Pay (a slow machine may time one out and resend the very same request)
        long resent = received.size() - received.stream().distinct().count();
        assertThat(received.stream().distinct()).hasSize(4);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        // the 26 refusals are ours: only WeChat Pay's own timeouts (if any) count against it
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo((int) resent);
    }

    @Test
    void aWeChatPayOutageStillOpensTheBreakerAndThenNothingIsSent() {
        WechatPayClient failing = client(new PayProperties.Breaker(50, 10, 5, Duration.ofSeconds(30), 3),
                GateSettings.DEFAULTS);
        script = request -> new Answer(503, "down");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> failing.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                    .isInstanceOf(WechatPayUnavailable.class);
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int sent = received.size();

        assertThatThrownBy(() -> calls.admitted(failing.unifiedOrder(order(SignType.MD5))).block(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(WechatPayUnavailable.class, e -> {
                    assertThat(e.wechatMayHaveIt()).isFalse();
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
                });
        assertThat(received).hasSize(sent);
    }

    @Test
    void systemErrorIsRetriedWithTheVerySameRequestThenGivesUpWith503() {
        script = request -> new Answer(200, reply(request, Map.of("result_code", "FAIL", "err_code", "SYSTEMERROR")));
        assertThatThrownBy(() -> client.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayUnavailable.class);
        assertThat(received).hasSize(3);
        assertThat(received).containsOnly(received.get(0));
    }

    @Test
    void aServerErrorFollowedBySuccessIsRetriedWithTheSameRequest() {
        script = request -> received.size() < 2
                ? new Answer(503, "busy") : prepay(request);
        assertThat(client.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5))).containsKey("prepay_id");
        assertThat(received).hasSize(2).containsOnly(received.get(0));
    }

    @Test
    void anUnsignedOrForgedReplyIsNeverBelieved() {
        script = request -> new Answer(200, "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>"
                + "<appid>" + TestWorld.APPID + "</appid><mch_id>" + TestWorld.MCH_ID + "</mch_id>"
                + "<prepay_id>wxForged</prepay_id></xml>");
        assertThatThrownBy(() -> client.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayBadReply.class).hasMessageContaining("sign");
        script = request -> new Answer(200, reply(request, Map.of("prepay_id", "wxReal")).replace("wxReal", "wxForged"));
        assertThatThrownBy(() -> client.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayBadReply.class);
        // signed, but with another merchant's key
        script = request -> {
            Map<String, String> f = xml.read(reply(request, Map.of("prepay_id", "wxOther")));
            f.put("sign", new PaySigner("another-merchant-key-0123456789ab").sign(f, SignType.MD5));
            return new Answer(200, xml.write(f));
        };
        assertThatThrownBy(() -> client.unifiedOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayBadReply.class);
    }

    @Test
    void aDoctypeInTheReplyIsRejected() {
        script = request -> new Answer(200, "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><a>&x;</a></xml>");
        assertThatThrownBy(() -> client.orderQuery(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayBadReply.class);
    }

    @Test
    void errCodesBecomeTypedErrorsWithSensibleStatuses() {
        Map<String, Class<? extends RuntimeException>> expected = Map.of(
                "ORDERPAID", OrderAlreadyPaid.class,
                "ORDERCLOSED", OrderClosed.class,
                "ORDERNOTEXIST", OrderUnknownToWechat.class,
                "OUT_TRADE_NO_USED", WechatPayRejected.class,
                "SIGNERROR", WechatPayRejected.class,
                "NOTENOUGH", WechatPayRejected.class);
        for (Map.Entry<String, Class<? extends RuntimeException>> e : expected.entrySet()) {
            script = request -> new Answer(200, reply(request, Map.of("result_code", "FAIL", "err_code", e.getKey())));
            assertThatThrownBy(() -> client.closeOrder(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                    .as(e.getKey()).isInstanceOf(e.getValue());
        }
        assertThat(WechatPayClient.rejected("ORDERPAID", "").status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(WechatPayClient.rejected("ORDERCLOSED", "").status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(WechatPayClient.rejected("SIGNERROR", "").status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(WechatPayClient.rejected("OUT_TRADE_NO_USED", "").status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(WechatPayClient.rejected("SOMETHING_NEW", "").status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        // business answers are not retried
        assertThat(received).hasSize(expected.size());
    }

    @Test
    void aRefusedRequestIsA502WithWeChatsReason() {
        script = request -> new Answer(200, "<xml><return_code><![CDATA[FAIL]]></return_code>"
                + "<return_msg><![CDATA[签名错误]]></return_msg></xml>");
        assertThatThrownBy(() -> client.orderQuery(order(SignType.MD5)).block(Duration.ofSeconds(5)))
                .isInstanceOf(WechatPayRejected.class).hasMessageContaining("签名错误");
        assertThat(received).hasSize(1);
    }

    @Test
    void noAnswerInTimeIsRetriedThenA504() {
        script = request -> new Answer(200, reply(request, Map.of()));
        server.disposeNow();
        server = HttpServer.create().host("127.0.0.1").port(server.port())
                .route(routes -> routes.post("/pay/{call}", (request, response) -> request.receive().aggregate().asString()
                        .doOnNext(received::add)
                        .then(Mono.delay(Duration.ofSeconds(3)))
                        .then(response.sendString(Mono.just("late")).then())))
                .bindNow();
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.orderQuery(order(SignType.MD5)).block(Duration.ofSeconds(10)))
                .isInstanceOf(WechatPayTimeout.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(received).hasSize(3).containsOnly(received.get(0));
    }
}
