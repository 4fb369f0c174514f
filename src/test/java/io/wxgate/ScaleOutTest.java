package io.wxgate;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.pay.PayFixtures;
import io.wxgate.testing.GatewayInstance;
import io.wxgate.testing.GatewayProcess;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Several gateways side by side on one MySQL and one Redis, as replicas behind a Service: a user logs in on one,
 * pays on another, WeChat's notify lands on a third; every instance runs the reconciler; one instance (its own
 * JVM) is SIGKILLed mid-load and its clients retry elsewhere. Every payment is recorded exactly once.
 */
class ScaleOutTest {

    private static final Map<String, Object> RECONCILE_FAST = Map.of(
            "wechat.pay.reconciler.enabled", "true",
            "wechat.pay.reconciler.interval", "1s",
            "wechat.pay.reconciler.age", "2s");

    private static GatewayInstance login;
    private static GatewayInstance pay;
    private static GatewayInstance notify;
    private static GatewayProcess doomed;

    @BeforeAll
    static void startInstances() {
        notify = GatewayInstance.start(RECONCILE_FAST);
        Map<String, Object> toNotify = new LinkedHashMap<>(RECONCILE_FAST);
        toNotify.put("wechat.pay.notify-url", notify.url() + "/api/v1/pay/notify");
        // the process starts its JVM while the in-process instances start
        CompletableFuture<GatewayProcess> process = CompletableFuture.supplyAsync(() -> GatewayProcess.start(toNotify));
        login = GatewayInstance.start(toNotify);
        pay = GatewayInstance.start(toNotify);
        doomed = process.orTimeout(150, TimeUnit.SECONDS).join();
    }

    @AfterAll
    static void stopInstances() {
        for (AutoCloseable instance : new AutoCloseable[] {doomed, pay, login, notify}) {
            try {
                if (instance != null) {
                    instance.close();
                }
            } catch (Exception e) {
                System.err.println("instance did not stop cleanly: " + e);
            }
        }
    }

    @AfterEach
    void noFaults() {
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    private static WebTestClient client(String url) {
        return WebTestClient.bindToServer().baseUrl(url).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static WebTestClient sandbox() {
        return client(TestWorld.get().sandboxUrl());
    }

    private static void payOnThePhone(Map<String, Object> order) {
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(order.get("payment"))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");
    }

    @Test
    void logInOnOnePayOnAnotherAndTheNotifyLandsOnAThird() {
        String token = PayFixtures.login(client(login.url()), sandbox());
        Map<String, Object> order = PayFixtures.newOrder(client(pay.url()), token, 7);
        String no = (String) order.get("out_trade_no");
        payOnThePhone(order);

        await(Duration.ofSeconds(20), "the notify on the third instance to mark " + no + " paid",
                () -> "SUCCESS".equals(orderColumn(no, "trade_state")));
        assertThat(PayFixtures.notifyCount(no, "APPLIED")).isEqualTo(1);
        // any instance answers for the order: the session and the order are shared, not per instance
        client(login.url()).get().uri("/api/v1/pay/orders/{no}", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.trade_state").isEqualTo("SUCCESS");
    }

    @Test
    void reconcilersOnEveryInstanceSettleEachLostNotifyOnce() {
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        List<String> paid = new ArrayList<>();
        String[] instances = {login.url(), pay.url(), notify.url(), doomed.url()};
        for (int i = 0; i < 8; i++) {
            String url = instances[i % instances.length];
            String token = PayFixtures.login(client(url), sandbox());
            Map<String, Object> order = PayFixtures.newOrder(client(url), token, 20 + i);
            payOnThePhone(order);
            paid.add((String) order.get("out_trade_no"));
        }

        await(Duration.ofSeconds(40), "the reconcilers to settle every order whose notify was lost",
                () -> paid.stream().allMatch(no -> "SUCCESS".equals(orderColumn(no, "trade_state"))));
        for (String no : paid) {
            Map<?, ?> atWeChat = sandbox().get().uri("/sandbox/pay/orders/{no}", no).exchange()
                    .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            assertThat(orderColumn(no, "transaction_id")).isEqualTo(atWeChat.get("transactionId"));
            assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no)).isZero();
            assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE out_trade_no = ?", no)).isEqualTo(1);
        }
    }

    @Test
    void anInstanceKilledMidLoadLosesNoPaymentAndDoublesNone() {
        int users = 12;
        List<String> tokens = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            tokens.add(PayFixtures.login(client(login.url()), sandbox()));
            keys.add(UUID.randomUUID().toString());
        }
        // WeChat Pay answers after 400 ms, so the doomed instance has orders in flight (row written, WeChat asked)
        // when it is SIGKILLed: no shutdown, its clients see the connection drop and resend the same request elsewhere
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("latencyMs", 400)).exchange().expectStatus().isOk();
        ExecutorService clients = Executors.newFixedThreadPool(users);
        Map<String, Map<String, Object>> orders = new LinkedHashMap<>();
        try {
            List<Future<Map<String, Object>>> inFlight = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                int n = i;
                String first = n % 2 == 0 ? doomed.url() : pay.url();
                inFlight.add(clients.submit(() -> createOrRetryElsewhere(first, tokens.get(n), keys.get(n), 30 + n)));
            }
            Thread.sleep(200);
            doomed.kill();
            for (int i = 0; i < users; i++) {
                orders.put(keys.get(i), inFlight.get(i).get(60, TimeUnit.SECONDS));
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the load did not complete", e);
        } finally {
            clients.shutdownNow();
            sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
        }
        assertThat(doomed.isAlive()).isFalse();
        assertThat(RESENT.get()).as("requests cut mid-flight by the kill and resent").isPositive();

        for (Map<String, Object> order : orders.values()) {
            payOnThePhone(order);
        }
        await(Duration.ofSeconds(30), "every order paid once, through the live instances",
                () -> orders.values().stream().allMatch(o -> "SUCCESS".equals(orderColumn((String) o.get("out_trade_no"), "trade_state"))));
        for (Map.Entry<String, Map<String, Object>> entry : orders.entrySet()) {
            String no = (String) entry.getValue().get("out_trade_no");
            assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE idempotency_key = ?", entry.getKey())).isEqualTo(1);
            assertThat(PayFixtures.queryOutTradeNo(entry.getKey())).isEqualTo(no);
            assertThat(PayFixtures.notifyCount(no, "APPLIED")).isEqualTo(1);
        }
    }

    /** Requests that were cut by the kill and sent again to a live instance. */
    private static final AtomicInteger RESENT = new AtomicInteger();

    /** What a client behind a load balancer does: on a dropped connection, the same request (same key) elsewhere. */
    private static Map<String, Object> createOrRetryElsewhere(String url, String token, String key, long totalFee) {
        try {
            return created(PayFixtures.createOrder(client(url), token, key, totalFee));
        } catch (RuntimeException | AssertionError dropped) {
            RESENT.incrementAndGet();
            return created(PayFixtures.createOrder(client(pay.url()), token, key, totalFee));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> created(WebTestClient.ResponseSpec response) {
        return response.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }
}
