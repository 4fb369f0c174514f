package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Shutdown with a reconciler pass in flight: the order it is asking WeChat about is settled (the answer is applied,
 * not thrown away), the next order of the same pass is left unclaimed for another instance, and no pass starts
 * after. WeChat Pay answers after 2 s here, so the close lands while the pass waits on orderquery. This test's two
 * orders are backdated years, so a pass (oldest first) takes them before any other test's order in the database.
 */
class ReconcilerStopTest {

    private static final int FIVE_YEARS = 5 * 365 * 24 * 60;

    private final WebTestClient sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
            .responseTimeout(Duration.ofSeconds(20)).build();

    @AfterEach
    void healthyAgain() {
        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    @Test
    void closingTheGatewaySettlesTheOrderInFlightAndLeavesTheRestOfThePassUnclaimed() {
        OwnGateway gateway = OwnGateway.start(Map.of(
                "wechat.pay.reconciler.enabled", "true",
                "wechat.pay.reconciler.interval", "300ms",
                "wechat.pay.reconciler.age", "1h"));
        PayReconciler reconciler = gateway.bean(PayReconciler.class);
        String inFlight;
        String next;
        try {
            String token = PayFixtures.login(gateway.client(), sandbox);
            faults(Map.of("dropNotifies", true));
            Map<String, Object> paid = PayFixtures.newOrder(gateway.client(), token, 49);
            inFlight = (String) paid.get("out_trade_no");
            sandbox.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(paid.get("payment")).exchange().expectStatus().isOk();
            next = (String) PayFixtures.newOrder(gateway.client(), token, 50).get("out_trade_no");
            faults(Map.of("dropNotifies", true, "latencyMs", 2000));
            PayFixtures.placedMinutesAgo(inFlight, FIVE_YEARS + 1);
            PayFixtures.placedMinutesAgo(next, FIVE_YEARS);

            String first = inFlight;
            await(Duration.ofSeconds(10), "a pass to claim the paid order",
                    () -> orderColumn(first, "reconcile_after") != null);
            assertThat(orderColumn(inFlight, "trade_state")).as("WeChat has not answered orderquery yet").isEqualTo("NOTPAY");
            assertThat(reconciler.isRunning()).isTrue();
        } catch (RuntimeException | AssertionError e) {
            gateway.close();
            throw e;
        }

        long closing = System.nanoTime();
        gateway.close();
        Duration closed = Duration.ofNanos(System.nanoTime() - closing);

        assertThat(orderColumn(inFlight, "trade_state")).as("the order the pass was settling").isEqualTo("SUCCESS");
        assertThat(orderColumn(next, "reconcile_after")).as("the next order of the pass, not claimed").isNull();
        assertThat(orderColumn(next, "trade_state")).isEqualTo("NOTPAY");
        assertThat(reconciler.isRunning()).isFalse();
        assertThat(closed).as("waited for WeChat's answer, well within the shutdown phase's bound").isBetween(
                Duration.ofMillis(300), Duration.ofSeconds(10));
    }

    private void faults(Map<String, Object> faults) {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON).bodyValue(faults)
                .exchange().expectStatus().isOk();
    }
}
