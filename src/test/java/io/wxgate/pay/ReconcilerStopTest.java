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
 * Shutdown with a reconciler pass in flight: the pass finishes the order it is asking WeChat about (the answer is
 * applied, not thrown away) and no pass starts after it. WeChat Pay answers orderquery after 2 s here, so the close
 * lands while the pass waits on it.
 */
class ReconcilerStopTest {

    private final WebTestClient sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
            .responseTimeout(Duration.ofSeconds(20)).build();

    @AfterEach
    void healthyAgain() {
        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    @Test
    void closingTheGatewayLetsThePassInFlightSettleItsOrderThenStops() {
        OwnGateway gateway = OwnGateway.start(Map.of(
                "wechat.pay.reconciler.enabled", "true",
                "wechat.pay.reconciler.interval", "300ms",
                "wechat.pay.reconciler.age", "1s"));
        String no;
        PayReconciler reconciler = gateway.bean(PayReconciler.class);
        try {
            String token = PayFixtures.login(gateway.client(), sandbox);
            faults(Map.of("dropNotifies", true));
            Map<String, Object> order = PayFixtures.newOrder(gateway.client(), token, 49);
            no = (String) order.get("out_trade_no");
            sandbox.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
            faults(Map.of("dropNotifies", true, "latencyMs", 2000));
            String claimed = no;
            await(Duration.ofSeconds(10), "a pass to claim the paid order",
                    () -> orderColumn(claimed, "reconcile_after") != null);
            assertThat(orderColumn(no, "trade_state")).as("WeChat has not answered orderquery yet").isEqualTo("NOTPAY");
            assertThat(reconciler.isRunning()).isTrue();
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }

        long closing = System.nanoTime();
        gateway.close();
        Duration closed = Duration.ofNanos(System.nanoTime() - closing);

        assertThat(orderColumn(no, "trade_state")).as("the order the pass was settling").isEqualTo("SUCCESS");
        assertThat(reconciler.isRunning()).isFalse();
        assertThat(closed).as("waited for WeChat's answer, within the shutdown phase's bound").isBetween(
                Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    private void faults(Map<String, Object> faults) {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON).bodyValue(faults)
                .exchange().expectStatus().isOk();
    }
}
