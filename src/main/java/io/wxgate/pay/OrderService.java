package io.wxgate.pay;

import io.wxgate.login.OpenidMask;
import io.wxgate.login.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Creating, reading and closing orders. An order is stored (NOTPAY) before WeChat hears of it; WeChat's answers
 * (unifiedorder, orderquery, closeorder) change it only through {@link OrderRepository}'s guarded writes.
 */
@Service
public class OrderService {

    private static final Logger log = LoggerFactory.getLogger(OrderService.class);

    private static final Duration MIN_AGE_TO_CLOSE = Duration.ofMinutes(5);

    private final OrderRepository orders;
    private final OrderTransitions transitions;
    private final WechatPay wechat;
    private final PayRandom random;
    private final PayProperties properties;

    public OrderService(OrderRepository orders, OrderTransitions transitions, WechatPay wechat, PayRandom random,
                        PayProperties properties) {
        this.orders = orders;
        this.transitions = transitions;
        this.wechat = wechat;
        this.random = random;
        this.properties = properties;
    }

    /** An order and what the mini-program needs to pay it; {@code replayed} when the idempotency key was seen before. */
    public record Checkout(PayOrder order, PaymentParams payment, boolean replayed) {
    }

    /**
     * Creates the order (or finds the one this idempotency key already made) and makes sure it has a usable
     * prepay_id. A repeated request gets the same order and the same payment parameters. Admitted to WeChat Pay
     * before the row is written: a request refused because the gateway is busy or WeChat Pay's circuit is open
     * leaves no order behind.
     */
    public Mono<Checkout> create(Session session, long totalFee, String body, String idempotencyKey, String clientIp) {
        return wechat.admitted(Mono.defer(() -> {
            Instant now = Instant.now();
            PayOrder fresh = PayOrder.newOrder(random.outTradeNo(now), session.openid(), idempotencyKey, totalFee,
                    body, clientIp, wechat.newOrderSignType(), now);
            return orders.insertOrFind(fresh);
        }).flatMap(stored -> {
            PayOrder order = stored.order();
            if (!stored.created() && !order.sameRequestAs(totalFee, body)) {
                return Mono.error(new IdempotencyKeyReused());
            }
            if (!stored.created()) {
                return withPrepay(order).map(ready -> new Checkout(ready, params(ready), true));
            }
            log.info("order {} created for {}: {} fen", order.outTradeNo(), OpenidMask.mask(order.openid()), totalFee);
            return withPrepay(order)
                    .onErrorResume(e -> e instanceof WechatPayUnavailable u && !u.wechatMayHaveIt(),
                            e -> orders.forgetUnsent(order.outTradeNo()).then(Mono.error(e)))
                    .map(ready -> new Checkout(ready, params(ready), false));
        })).switchIfEmpty(Mono.error(OrderService::noAnswer));
    }

    // a statement that completes without its row or count (seen under load: a few /pay/ answered 200 with no body)
    // is the store failing, answered 503 + Retry-After like any store failure, never an empty success
    private static RuntimeException noAnswer() {
        return new DataAccessResourceFailureException("the database completed an order's statements without an answer");
    }

    private Mono<PayOrder> withPrepay(PayOrder order) {
        Instant now = Instant.now();
        if (!order.tradeState().open()) {
            return Mono.error(notPayable(order));
        }
        if (order.prepayUsableAt(now.plus(properties.prepayReuseMargin()))) {
            return Mono.just(order);
        }
        if (!order.timeExpire(properties.prepayValidity()).isAfter(now.plus(properties.prepayReuseMargin()))) {
            // WeChat renews no prepay past the order's time_expire: rather than hand out one about to die, close the
            // order (a payment WeChat reports meanwhile wins) and have the caller place a new one
            log.info("order {} reached its time_expire unpaid; closing it", order.outTradeNo());
            // order_closed only once WeChat confirmed the close: a payer mid-payment, a paid order or an unreachable
            // WeChat Pay is the caller's answer instead, so nobody is sent to place a second order for one purchase
            return close(order).then(Mono.error(new OrderClosed()));
        }
        return wechat.prepay(order).flatMap(prepayId -> {
            Instant at = Instant.now();
            return orders.storePrepay(order.outTradeNo(), prepayId, prepayExpiry(order, at),
                            random.nonceStr(), at.getEpochSecond(), at, at.plus(properties.prepayReuseMargin()))
                    // whether this write or a concurrent twin's won, the stored prepay_id is the one to hand out
                    .then(orders.find(order.outTradeNo()));
        }).flatMap(stored -> stored.prepayUsableAt(Instant.now()) ? Mono.just(stored) : Mono.error(notPayable(stored)));
    }

    private static RuntimeException notPayable(PayOrder order) {
        return switch (order.tradeState()) {
            case SUCCESS, REFUND -> new OrderAlreadyPaid();
            case CLOSED, REVOKED, PAYERROR -> new OrderClosed();
            case NOTPAY, USERPAYING -> new OrderInProgress();
        };
    }

    /**
     * How long a fresh prepay_id can be paid: WeChat's validity from now, never past the time_expire the order was
     * placed with, so a renewal that gets the same prepay_id back keeps its real expiry.
     */
    private Instant prepayExpiry(PayOrder order, Instant at) {
        Instant validity = at.plus(properties.prepayValidity());
        Instant timeExpire = order.timeExpire(properties.prepayValidity());
        return timeExpire.isBefore(validity) ? timeExpire : validity;
    }

    /** wx.requestPayment's parameters, signed as the order's API version wants. */
    PaymentParams params(PayOrder order) {
        return wechat.params(order);
    }

    /** The caller's order; while it is still open, WeChat is asked and its answer applied first. */
    public Mono<PayOrder> view(Session session, String outTradeNo) {
        return owned(session, outTradeNo).flatMap(order -> order.tradeState().open()
                ? refresh(order).onErrorResume(e -> e instanceof WechatPayUnavailable || e instanceof WechatPayTimeout
                        || e instanceof OrderUnknownToWechat, e -> Mono.just(order))
                : Mono.just(order));
    }

    /** Closes the caller's unpaid order at WeChat, then here. Closing a closed order is a no-op. */
    public Mono<PayOrder> close(Session session, String outTradeNo) {
        return owned(session, outTradeNo).flatMap(this::close);
    }

    /**
     * Closes an open order whose prepay_id has expired (or that never got one within its validity): nobody can pay
     * it any more, so it should stop being asked about. A payment WeChat reports meanwhile wins over the close.
     */
    public Mono<PayOrder> closeIfExpired(PayOrder order, Instant now) {
        Instant expiry = order.prepayExpiresAt() != null ? order.prepayExpiresAt()
                : order.createdAt().plus(properties.prepayValidity());
        if (!order.tradeState().open() || expiry.isAfter(now)) {
            return Mono.just(order);
        }
        log.info("order {} expired unpaid; closing it", order.outTradeNo());
        return close(order).onErrorResume(OrderAlreadyPaid.class, paid -> orders.find(order.outTradeNo()));
    }

    /**
     * Closes here only what WeChat confirms cannot be paid: closeorder succeeded or says ORDERCLOSED, or says
     * ORDERNOTEXIST for an order that never got a prepay_id (nobody can have paid it). Never an order younger than
     * WeChat's 5 minutes, and only the row as read: a replay that stored a fresh prepay_id meanwhile wins.
     */
    private Mono<PayOrder> close(PayOrder order) {
        if (order.tradeState() == TradeState.CLOSED) {
            return Mono.just(order);
        }
        if (!order.tradeState().open()) {
            return Mono.error(notPayable(order));
        }
        if (order.createdAt().isAfter(Instant.now().minus(MIN_AGE_TO_CLOSE))) {
            return Mono.error(new OrderTooYoungToClose());
        }
        return wechat.closeOrder(order)
                .then(Mono.defer(() -> confirmedUnpaid(order)))
                // already closed at WeChat: under APIv3 that too is believed only once a query says unpaid
                .onErrorResume(OrderClosed.class, closed -> confirmedUnpaid(order))
                .onErrorResume(e -> e instanceof OrderUnknownToWechat && order.prepayId() == null, e -> Mono.empty())
                // WeChat says it was paid meanwhile: learn that first, then tell the caller
                .onErrorResume(OrderAlreadyPaid.class, paid -> refresh(order).then(Mono.error(paid)))
                .then(Mono.defer(() -> transitions.closed(order, Instant.now())))
                .then(Mono.defer(() -> orders.find(order.outTradeNo())))
                .flatMap(after -> after.tradeState() == TradeState.CLOSED ? Mono.just(after) : Mono.error(notPayable(after)));
    }

    /**
     * APIv3's close answers 204 without saying whether the order was already paid (it checks little more than the
     * request's form), so a v3 close counts only once a query says the order is not paid; a paid one is
     * {@link OrderAlreadyPaid}, which the caller applies. APIv2's closeorder answers ORDERPAID itself.
     */
    private Mono<Void> confirmedUnpaid(PayOrder order) {
        if (order.signType() != io.wxgate.wechat.SignType.RSA) {
            return Mono.empty();
        }
        return wechat.orderQuery(order).flatMap(report -> {
            boolean paid = report.tradeState().filter(s -> s == TradeState.SUCCESS || s == TradeState.REFUND).isPresent();
            return paid ? Mono.<Void>error(new OrderAlreadyPaid()) : Mono.<Void>empty();
        });
    }

    /** Asks WeChat about an order and applies the answer through the guarded transition; returns the stored row after. */
    public Mono<PayOrder> refresh(PayOrder order) {
        return wechat.orderQuery(order)
                .flatMap(report -> apply(order, report))
                .then(orders.find(order.outTradeNo()));
    }

    private Mono<Boolean> apply(PayOrder order, PaymentReport report) {
        TradeState reported = report.tradeState().orElse(null);
        if (reported == null || reported == order.tradeState()) {
            return Mono.just(false);
        }
        if (!order.outTradeNo().equals(report.outTradeNo())) {
            log.error("orderquery for {} answered about {}; ignored", order.outTradeNo(), report.outTradeNo());
            return Mono.just(false);
        }
        Payment payment = null;
        if (reported == TradeState.SUCCESS || reported == TradeState.REFUND) {
            if (!report.amountIs(order.totalFee())) {
                log.error("orderquery for {} reports total_fee {} but the order is {} fen; not applied",
                        order.outTradeNo(), report.totalFee().orElse(null), order.totalFee());
                return Mono.just(false);
            }
            if (report.payment().isEmpty()) {
                log.error("orderquery for {} reports {} without a valid transaction_id; not applied",
                        order.outTradeNo(), reported);
                return Mono.just(false);
            }
            payment = report.payment().get();
        }
        Instant now = Instant.now();
        if (reported != TradeState.REFUND && !order.tradeState().canMoveTo(reported)) {
            log.warn("orderquery reports {} for {} which is {} here; not applied", reported, order.outTradeNo(),
                    order.tradeState());
            return Mono.just(false);
        }
        Mono<OrderTransitions.Outcome> move = switch (reported) {
            case SUCCESS -> transitions.paid(order, payment, now);
            case REFUND -> transitions.refunded(order, payment, now);
            default -> transitions.reported(order, reported, now);
        };
        return move.map(OrderTransitions.Outcome::moved).doOnNext(applied -> {
            if (applied) {
                log.info("order {}: {} -> {} (orderquery)", order.outTradeNo(), order.tradeState(), reported);
            }
        });
    }

    private Mono<PayOrder> owned(Session session, String outTradeNo) {
        if (outTradeNo == null || !OutTradeNo.valid(outTradeNo)) {
            return Mono.error(new OrderNotFound());
        }
        return orders.findOwned(outTradeNo, session.openid()).switchIfEmpty(Mono.error(new OrderNotFound()));
    }
}
