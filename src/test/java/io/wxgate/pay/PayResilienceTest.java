package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.createOrder;
import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.newOrder;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static io.wxgate.pay.PayFixtures.sandboxOrder;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TcpProxy;
import io.wxgate.testing.TestServers;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.SignType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Faults between the gateway and its database or WeChat Pay. This class runs its OWN gateway, on its own port,
 * whose R2DBC connections and WeChat Pay calls go through {@link TcpProxy}s the test cuts and restores; the shared
 * MariaDB and sandbox are never touched. Its reconciler runs fast (orders older than 1 s, every 300 ms).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayResilienceTest {

    private static TcpProxy database;
    private static TcpProxy wechatPay;
    private static OwnGateway ownGateway;
    private static String gatewayUrl;

    @BeforeAll
    static void startOwnGateway() {
        TestWorld world = TestWorld.get();
        TestServers servers = world.servers();
        database = new TcpProxy("127.0.0.1", servers.mysqlPort());
        wechatPay = new TcpProxy("127.0.0.1", Integer.parseInt(world.sandboxUrl().substring(world.sandboxUrl().lastIndexOf(':') + 1)));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("spring.r2dbc.url", TestServers.r2dbcUrl("127.0.0.1", database.port()));
        p.put("spring.r2dbc.pool.max-acquire-time", "2s");
        p.put("spring.r2dbc.pool.max-create-connection-time", "2s");
        p.put("wechat.pay.base-url", "http://127.0.0.1:" + wechatPay.port());
        // this gateway signs with HMAC-SHA256, the shared one with MD5: both sign types run end to end
        p.put("wechat.pay.sign-type", "HMAC-SHA256");
        p.put("wechat.pay.connect-timeout", "500ms");
        p.put("wechat.pay.response-timeout", "1s");
        p.put("wechat.pay.retry.max-retries", "1");
        p.put("wechat.pay.retry.first-backoff", "50ms");
        p.put("wechat.pay.retry.max-backoff", "100ms");
        p.put("wechat.pay.breaker.sliding-window-size", "4");
        p.put("wechat.pay.breaker.minimum-number-of-calls", "4");
        p.put("wechat.pay.breaker.wait-in-open-state", "2s");
        p.put("wechat.pay.breaker.permitted-calls-in-half-open-state", "1");
        p.put("wechat.pay.reconciler.enabled", "true");
        p.put("wechat.pay.reconciler.age", "1s");
        p.put("wechat.pay.reconciler.interval", "300ms");
        p.put("wechat.pay.reconciler.lease", "3s");
        ownGateway = OwnGateway.start(p);
        gatewayUrl = ownGateway.url();
    }

    @AfterAll
    static void stopOwnGateway() {
        if (ownGateway != null) {
            ownGateway.close();
        }
        database.close();
        wechatPay.close();
    }

    @AfterEach
    void healthyAgain() {
        database.restore();
        wechatPay.restore();
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    private static WebTestClient gateway() {
        return WebTestClient.bindToServer().baseUrl(gatewayUrl).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static WebTestClient sandbox() {
        return WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl()).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static EntityExchangeResult<String> notify(String xml) {
        return gateway().post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML).bodyValue(xml)
                .exchange().expectBody(String.class).returnResult();
    }

    @Test
    @Order(1)
    void aNotifyWhileTheDatabaseIsDownGetsFailAndWeChatsRetryAfterwardsAppliesItOnce() {
        String token = login(gateway(), sandbox());
        String no = (String) newOrder(gateway(), token, 40).get("out_trade_no");
        String xml = PayFixtures.signed(PayFixtures.paidNotify(no, 40, PayFixtures.transactionId()), SignType.HMAC_SHA256);

        database.cut();
        EntityExchangeResult<String> down = notify(xml);
        assertThat(down.getResponseBody()).startsWith("<xml><return_code><![CDATA[FAIL]]>");
        assertThat(down.getStatus().value()).isEqualTo(503);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no)).isZero();

        database.restore();
        // WeChat keeps retrying until it hears SUCCESS; so does this loop, for a bounded time
        List<String> replies = new ArrayList<>();
        await(Duration.ofSeconds(20), "a SUCCESS reply once the database is back", () -> {
            String reply = notify(xml).getResponseBody();
            replies.add(reply);
            return reply.contains("SUCCESS");
        });
        assertThat(replies.get(replies.size() - 1)).isEqualTo(
                "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(PayFixtures.notifyCount(no, "APPLIED")).isEqualTo(1);
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void theSandboxsNotifyDuringADatabaseOutageIsRetriedUntilTheGatewayRecordsIt() {
        String token = login(gateway(), sandbox());
        Map<String, Object> order = newOrder(gateway(), token, 46);
        String no = (String) order.get("out_trade_no");
        String version = orderColumn(no, "version");

        database.cut();
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        await(Duration.ofSeconds(10), "WeChat's notify to be answered FAIL while the database is down", () -> {
            List<Map<String, Object>> attempts = (List<Map<String, Object>>) sandboxOrder(sandbox(), no).get("notifyAttempts");
            return attempts.stream().anyMatch(a -> Integer.valueOf(503).equals(a.get("status"))
                    && String.valueOf(a.get("reply")).contains("FAIL"));
        });
        assertThat(sandboxOrder(sandbox(), no).get("notifyAcknowledged")).isEqualTo(false);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");

        database.restore();
        await(Duration.ofSeconds(30), "a retried notify to be acknowledged once the database is back",
                () -> Boolean.TRUE.equals(sandboxOrder(sandbox(), no).get("notifyAcknowledged")));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(Integer.parseInt(orderColumn(no, "version"))).as("one transition").isEqualTo(Integer.parseInt(version) + 1);
        // the reconciler may have learnt of the payment first; then the notify was a duplicate, never a second move
        assertThat(PayFixtures.notifyCount(no, "APPLIED") + PayFixtures.notifyCount(no, "DUPLICATE")).isGreaterThanOrEqualTo(1);
        assertThat(PayFixtures.notifyCount(no, "APPLIED")).isLessThanOrEqualTo(1);
    }


    @Test
    @Order(3)
    void anOrderPaidWithoutAnyNotifyIsSettledByTheReconciler() {
        String token = login(gateway(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        Map<String, Object> order = newOrder(gateway(), token, 41);
        String no = (String) order.get("out_trade_no");
        assertThat(((Map<?, ?>) order.get("payment")).get("signType")).isEqualTo("HMAC-SHA256");
        assertThat(orderColumn(no, "sign_type")).isEqualTo("HMAC_SHA256");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();

        // nobody asks the gateway about this order: only the reconciler can learn it was paid
        await(Duration.ofSeconds(15), "the reconciler to mark the order paid",
                () -> "SUCCESS".equals(orderColumn(no, "trade_state")));
        assertThat(orderColumn(no, "transaction_id")).isNotBlank();
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no)).isZero();
    }

    @Test
    @Order(4)
    void anOrderStillUnpaidWhenItsPrepayIdExpiresIsClosedByTheReconciler() {
        String token = login(gateway(), sandbox());
        Map<String, Object> order = newOrder(gateway(), token, 47);
        String no = (String) order.get("out_trade_no");
        PayFixtures.placedMinutesAgo(no, 121);
        PayFixtures.expirePrepay(no);

        await(Duration.ofSeconds(15), "the reconciler to close the expired order",
                () -> "CLOSED".equals(orderColumn(no, "trade_state")));
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("CLOSED");
    }

    @Test
    @Order(5)
    void reconcilersRacingOverOnePaidOrderApplyItOnce() {
        String token = login(gateway(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        Map<String, Object> order = newOrder(gateway(), token, 45);
        String no = (String) order.get("out_trade_no");
        String version = orderColumn(no, "version");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();

        // the scheduled pass plus eight explicit ones at once, as if nine gateway instances woke together
        PayReconciler reconciler = ownGateway.bean(PayReconciler.class);
        long due = System.nanoTime() + Duration.ofMillis(1100).toNanos();
        await(Duration.ofSeconds(3), "the order to be older than the reconciler's age", () -> System.nanoTime() > due);
        List<Long> settled = reactor.core.publisher.Flux.range(0, 8)
                .flatMap(i -> reconciler.reconcileOnce().onErrorReturn(0L), 8)
                .collectList().block(Duration.ofSeconds(30));
        await(Duration.ofSeconds(15), "the order to be paid", () -> "SUCCESS".equals(orderColumn(no, "trade_state")));
        assertThat(settled).hasSize(8);
        assertThat(Integer.parseInt(orderColumn(no, "version"))).isEqualTo(Integer.parseInt(version) + 1);
    }

    @Test
    @Order(6)
    void aWeChatPayThatAnswersTooSlowlyGives504() {
        String token = login(gateway(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("latencyMs", 2500)).exchange().expectStatus().isOk();
        String key = UUID.randomUUID().toString();
        createOrder(gateway(), token, key, 42).expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_pay_timeout");
        assertThat(PayFixtures.queryOutTradeNo(key)).as("the order was stored before WeChat was called").isNotNull();
    }

    @Test
    @Order(7)
    void whenWeChatPayIsDownTheBreakerOpensAndCallsFailFastWith503ThenRecover() {
        String token = login(gateway(), sandbox());
        wechatPay.cut();
        List<String> details = new ArrayList<>();
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 8 && details.stream().noneMatch(d -> d.contains("circuit open")); i++) {
            long started = System.nanoTime();
            String detail = new String(createOrder(gateway(), token, UUID.randomUUID().toString(), 43)
                    .expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.code").isEqualTo("wechat_pay_unavailable")
                    .returnResult().getResponseBodyContent());
            details.add(detail);
            if (detail.contains("circuit open")) {
                fastest = (System.nanoTime() - started) / 1_000_000;
            }
        }
        assertThat(details).anySatisfy(d -> assertThat(d).contains("circuit open"));
        assertThat(fastest).as("an open circuit answers without calling WeChat (ms)").isLessThan(500);

        wechatPay.restore();
        await(Duration.ofSeconds(20), "WeChat Pay calls to work again after the breaker's wait",
                () -> createOrder(gateway(), token, UUID.randomUUID().toString(), 44)
                        .returnResult(String.class).getStatus().value() == 201);
    }
}
