package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.newOrder;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The one place that moves an order, against the real table: guarded writes, and what wins a race. */
class OrderTransitionsTest extends IntegrationTest {

    @Autowired
    OrderTransitions transitions;

    @Autowired
    OrderRepository orders;

    private PayOrder freshOrder(long fen) {
        String no = (String) newOrder(gateway(), login(gateway(), sandbox()), fen).get("out_trade_no");
        return orders.find(no).block(Duration.ofSeconds(5));
    }

    @Test
    void aCloseLosesToAReplayThatStoredAFreshPrepayIdAfterTheRowWasRead() {
        PayOrder seen = freshOrder(41);
        // a concurrent replay renews the prepay_id: the row moves on to a new version
        Instant now = Instant.now();
        assertThat(orders.storePrepay(seen.outTradeNo(), "wx_fresh_prepay", now.plus(Duration.ofHours(2)), "n", 1L, now,
                now.plus(Duration.ofHours(3))).block(Duration.ofSeconds(5))).isTrue();

        assertThat(transitions.closed(seen, Instant.now()).block(Duration.ofSeconds(5)))
                .isEqualTo(OrderTransitions.Outcome.NOT_MOVED);
        assertThat(orderColumn(seen.outTradeNo(), "trade_state")).isEqualTo("NOTPAY");
        assertThat(orderColumn(seen.outTradeNo(), "prepay_id")).isEqualTo("wx_fresh_prepay");

        PayOrder reread = orders.find(seen.outTradeNo()).block(Duration.ofSeconds(5));
        assertThat(transitions.closed(reread, Instant.now()).block(Duration.ofSeconds(5)))
                .isEqualTo(OrderTransitions.Outcome.MOVED);
        assertThat(orderColumn(seen.outTradeNo(), "trade_state")).isEqualTo("CLOSED");
    }

    @Test
    void aPaymentMovesAnOpenOrClosedOrderOnceAndFlagsOnlyTheClosedOne() {
        PayOrder open = freshOrder(42);
        Payment payment = new Payment("4200000000202611270000000042", "CMC", "20261127120000");
        assertThat(transitions.paid(open, payment, Instant.now()).block(Duration.ofSeconds(5)))
                .isEqualTo(OrderTransitions.Outcome.MOVED);
        assertThat(transitions.paid(open, payment, Instant.now()).block(Duration.ofSeconds(5)))
                .as("a second report moves nothing").isEqualTo(OrderTransitions.Outcome.NOT_MOVED);
        assertThat(orderColumn(open.outTradeNo(), "paid_after_close")).isEqualTo("0");

        PayOrder closed = freshOrder(43);
        PayFixtures.forceTradeState(closed.outTradeNo(), "CLOSED");
        PayOrder seen = orders.find(closed.outTradeNo()).block(Duration.ofSeconds(5));
        assertThat(transitions.paid(seen, new Payment("4200000000202611270000000043", "CMC", "20261127120000"),
                Instant.now()).block(Duration.ofSeconds(5))).isEqualTo(OrderTransitions.Outcome.PAID_AFTER_CLOSE);
        assertThat(orderColumn(closed.outTradeNo(), "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(closed.outTradeNo(), "paid_after_close")).isEqualTo("1");
    }
}
