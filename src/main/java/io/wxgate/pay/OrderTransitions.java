package io.wxgate.pay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The one place that moves an order. Each move is one guarded write from the states {@link TradeState} allows
 * towards the target; notify, orderquery, close and the reconciler all come here. A payment WeChat reports for
 * an order closed here is applied (WeChat is the authority on money), flagged in {@code paid_after_close},
 * counted and logged for an operator.
 */
@Component
public class OrderTransitions {

    private static final Logger log = LoggerFactory.getLogger(OrderTransitions.class);

    private final OrderRepository orders;
    private final Counter paidAfterClose;

    public OrderTransitions(OrderRepository orders, MeterRegistry meters) {
        this.orders = orders;
        this.paidAfterClose = Counter.builder("wxgate.pay.paid_after_close")
                .description("payments WeChat reported for orders already closed here; applied and flagged")
                .register(meters);
    }

    /** What a move did. */
    public enum Outcome {
        /** The order moved. */
        MOVED,
        /** The order moved to SUCCESS from CLOSED: applied, and flagged for an operator. */
        PAID_AFTER_CLOSE,
        /** The order was not in a state the move starts from (any more): nothing changed. */
        NOT_MOVED;

        public boolean moved() {
            return this != NOT_MOVED;
        }
    }

    /** WeChat says the order was paid with {@code payment}: NOTPAY, USERPAYING or CLOSED become SUCCESS. */
    public Mono<Outcome> paid(PayOrder seen, Payment payment, Instant now) {
        return move(seen, TradeState.SUCCESS, payment, now, null);
    }

    /** WeChat reports the order paid and refunded: paid first (if it was not yet), then REFUND. */
    public Mono<Outcome> refunded(PayOrder seen, Payment payment, Instant now) {
        Mono<Outcome> paid = seen.tradeState() == TradeState.SUCCESS ? Mono.just(Outcome.NOT_MOVED)
                : paid(seen, payment, now);
        return paid.flatMap(first -> orders.transition(seen.outTradeNo(), TradeState.from(TradeState.REFUND),
                        TradeState.REFUND, payment, now, null)
                .map(done -> done ? (first == Outcome.PAID_AFTER_CLOSE ? first : Outcome.MOVED) : first));
    }

    /**
     * Closes an open order, but only the very row that was read: a concurrent create or replay that stored a fresh
     * prepay_id in the meantime (a new version) wins over the close.
     */
    public Mono<Outcome> closed(PayOrder seen, Instant now) {
        return move(seen, TradeState.CLOSED, null, now, seen.version());
    }

    /** Any other state WeChat reports (USERPAYING, REVOKED, PAYERROR), from the states that may move there. */
    public Mono<Outcome> reported(PayOrder seen, TradeState reported, Instant now) {
        return move(seen, reported, null, now, null);
    }

    private Mono<Outcome> move(PayOrder seen, TradeState to, Payment payment, Instant now, Integer version) {
        String no = seen.outTradeNo();
        return orders.transition(no, TradeState.from(to), to, payment, now, version).map(done -> {
            if (!done) {
                return Outcome.NOT_MOVED;
            }
            if (to == TradeState.SUCCESS && seen.tradeState() == TradeState.CLOSED) {
                paidAfterClose.increment();
                log.warn("order {} was CLOSED here but WeChat reports it paid ({}): applied as SUCCESS and flagged "
                        + "paid_after_close for follow-up", no, payment.transactionId());
                return Outcome.PAID_AFTER_CLOSE;
            }
            return Outcome.MOVED;
        });
    }
}
