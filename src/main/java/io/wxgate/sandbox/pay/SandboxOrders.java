package io.wxgate.sandbox.pay;

import io.wxgate.pay.TradeState;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The sandbox's WeChat Pay order book, in memory. Every state transition is one atomic
 * {@link ConcurrentHashMap#compute} on the order, so concurrent pay/close/place calls cannot both win.
 */
@Component
public class SandboxOrders {

    /** An order after an operation, or the business error that refused the operation. */
    public record Result(SandboxOrder order, OrderError error) {

        static Result ok(SandboxOrder order) {
            return new Result(order, null);
        }

        static Result refused(OrderError error) {
            return new Result(null, error);
        }

        public boolean isOk() {
            return error == null;
        }
    }

    private final Map<String, SandboxOrder> orders = new ConcurrentHashMap<>();
    private final Map<String, String> orderKeyByPrepayId = new ConcurrentHashMap<>();
    private final Map<String, String> orderKeyByTransactionId = new ConcurrentHashMap<>();
    private final Map<String, NotifyLog> notifyLogs = new ConcurrentHashMap<>();
    private final PaySandboxProperties properties;
    private final WeChatIds ids;

    SandboxOrders(PaySandboxProperties properties, WeChatIds ids) {
        this.properties = properties;
        this.ids = ids;
    }

    /**
     * WeChat's unifiedorder semantics: a new out_trade_no creates an order; a repeated one with the same terms
     * while unpaid returns the same prepay_id (a fresh one once the old one expired); different terms are
     * OUT_TRADE_NO_USED; a paid or closed order is ORDERPAID / ORDERCLOSED.
     */
    public Result place(SandboxOrder proposed, Instant now) {
        Result[] result = new Result[1];
        String key = key(proposed.mchId(), proposed.outTradeNo());
        orders.compute(key, (k, existing) -> {
            if (existing == null) {
                SandboxOrder created = proposed.withPrepay(ids.prepayId(now), prepayExpiry(proposed, now));
                result[0] = Result.ok(created);
                return created;
            }
            if (existing.state() == TradeState.SUCCESS) {
                result[0] = Result.refused(OrderError.ORDERPAID);
            } else if (existing.state() == TradeState.CLOSED) {
                result[0] = Result.refused(OrderError.ORDERCLOSED);
            } else if (!existing.terms().equals(proposed.terms())) {
                result[0] = Result.refused(OrderError.OUT_TRADE_NO_USED);
            } else if (existing.prepayExpired(now)) {
                SandboxOrder renewed = existing.withPrepay(ids.prepayId(now), prepayExpiry(existing, now));
                result[0] = Result.ok(renewed);
                return renewed;
            } else {
                result[0] = Result.ok(existing);
            }
            return existing;
        });
        if (result[0].isOk()) {
            orderKeyByPrepayId.put(result[0].order().prepayId(), key);
        }
        return result[0];
    }

    public Optional<SandboxOrder> find(String mchId, String outTradeNo) {
        return Optional.ofNullable(orders.get(key(mchId, outTradeNo)));
    }

    public Optional<SandboxOrder> findByTransactionId(String mchId, String transactionId) {
        return Optional.ofNullable(orderKeyByTransactionId.get(transactionId)).map(orders::get)
                .filter(o -> o.mchId().equals(mchId));
    }

    /** The order a prepay_id was issued for, whether or not that prepay_id is still the current one. */
    public Optional<SandboxOrder> findByPrepayId(String prepayId) {
        return Optional.ofNullable(orderKeyByPrepayId.get(prepayId)).map(orders::get);
    }

    /** Any merchant's order with this out_trade_no, for introspection. */
    public Optional<SandboxOrder> findAnyMerchant(String outTradeNo) {
        return orders.values().stream().filter(o -> o.outTradeNo().equals(outTradeNo)).findFirst();
    }

    /**
     * A prepay_id lives the prepay TTL, and never past the order's time_expire when it has one (APIv3's RFC 3339, or
     * APIv2's yyyyMMddHHmmss in Beijing time): after it the payer can no longer pay, as at WeChat.
     */
    private Instant prepayExpiry(SandboxOrder order, Instant now) {
        Instant ttl = now.plus(properties.prepayTtl());
        Instant end = timeExpire(order.terms().get("time_expire"));
        return end != null && end.isBefore(ttl) ? end : ttl;
    }

    /** The instant a time_expire names, or null for none or one that is neither format. */
    static Instant timeExpire(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return text.matches("[0-9]{14}")
                    ? java.time.LocalDateTime.parse(text, java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                            .toInstant(java.time.ZoneOffset.ofHours(8))
                    : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** Every order of every merchant, for introspection (a load test's exactly-once check). */
    public Collection<SandboxOrder> all() {
        return orders.values();
    }

    /** The payer pays through a prepay_id: NOTPAY with that current, unexpired prepay_id becomes SUCCESS. */
    public Result pay(String prepayId, Instant now) {
        String key = orderKeyByPrepayId.get(prepayId);
        if (key == null) {
            return Result.refused(OrderError.ORDERNOTEXIST);
        }
        Result[] result = new Result[1];
        orders.computeIfPresent(key, (k, order) -> {
            if (order.state() == TradeState.SUCCESS) {
                result[0] = Result.refused(OrderError.ORDERPAID);
            } else if (order.state() == TradeState.CLOSED) {
                result[0] = Result.refused(OrderError.ORDERCLOSED);
            } else if (!order.prepayId().equals(prepayId) || order.prepayExpired(now)) {
                result[0] = Result.refused(OrderError.PREPAY_EXPIRED);
            } else {
                SandboxOrder paid = order.paid(new SandboxOrder.Payment(
                        ids.transactionId(now), now, "OTHERS", order.totalFee()));
                result[0] = Result.ok(paid);
                return paid;
            }
            return order;
        });
        if (result[0] == null) {
            return Result.refused(OrderError.ORDERNOTEXIST);
        }
        if (result[0].isOk()) {
            orderKeyByTransactionId.put(result[0].order().payment().transactionId(), key);
        }
        return result[0];
    }

    /** closeorder: an unpaid order becomes CLOSED; a paid one is ORDERPAID, a closed one ORDERCLOSED. */
    public Result close(String mchId, String outTradeNo) {
        Result[] result = new Result[1];
        orders.computeIfPresent(key(mchId, outTradeNo), (k, order) -> {
            if (order.state() == TradeState.SUCCESS) {
                result[0] = Result.refused(OrderError.ORDERPAID);
            } else if (order.state() == TradeState.CLOSED) {
                result[0] = Result.refused(OrderError.ORDERCLOSED);
            } else {
                SandboxOrder closed = order.closed();
                result[0] = Result.ok(closed);
                return closed;
            }
            return order;
        });
        return result[0] == null ? Result.refused(OrderError.ORDERNOTEXIST) : result[0];
    }

    NotifyLog notifyLog(SandboxOrder order) {
        return notifyLogs.computeIfAbsent(key(order.mchId(), order.outTradeNo()), k -> new NotifyLog());
    }

    Optional<NotifyLog> existingNotifyLog(SandboxOrder order) {
        return Optional.ofNullable(notifyLogs.get(key(order.mchId(), order.outTradeNo())));
    }

    private static String key(String mchId, String outTradeNo) {
        return mchId + '\u0000' + outTradeNo;
    }
}
