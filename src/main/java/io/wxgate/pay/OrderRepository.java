package io.wxgate.pay;

import io.r2dbc.spi.Readable;
import io.wxgate.wechat.SignType;
import java.time.Instant;
import java.util.Map;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code pay_order} table. Every change of an order is one guarded {@code UPDATE ... WHERE out_trade_no = ?
 * AND trade_state = ?expected}; "did it happen" is "one row affected", so two gateways, a notify and the
 * reconciler racing for the same order can never both apply a transition.
 */
@Repository
public class OrderRepository {

    private static final String COLUMNS = "out_trade_no, openid, idempotency_key, total_fee, body, spbill_create_ip, "
            + "sign_type, trade_state, prepay_id, prepay_expires_at, pay_nonce_str, pay_timestamp, transaction_id, "
            + "bank_type, time_end, version, created_at, updated_at";

    private final DatabaseClient db;

    public OrderRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The result of an insert under an idempotency key: the new row, or the row an earlier request made. */
    public record Stored(PayOrder order, boolean created) {
    }

    /**
     * Inserts the order, or finds the one already stored under the same (openid, idempotency key). Relies on the
     * unique key, not on a read before the insert, so concurrent duplicates also end in one row.
     */
    public Mono<Stored> insertOrFind(PayOrder o) {
        return db.sql("INSERT INTO pay_order (out_trade_no, openid, idempotency_key, total_fee, body, spbill_create_ip, "
                        + "sign_type, trade_state, version, created_at, updated_at) "
                        + "VALUES (:no, :openid, :key, :fee, :body, :ip, :signType, :state, :version, :now, :now)")
                .bind("no", o.outTradeNo())
                .bind("openid", o.openid())
                .bind("key", o.idempotencyKey())
                .bind("fee", o.totalFee())
                .bind("body", o.body())
                .bind("ip", o.spbillCreateIp())
                .bind("signType", o.signType().name())
                .bind("state", o.tradeState().name())
                .bind("version", o.version())
                .bind("now", utc(o.createdAt()))
                .fetch().rowsUpdated()
                .map(rows -> new Stored(o, true))
                .onErrorResume(DataIntegrityViolationException.class, duplicate ->
                        findByIdempotencyKey(o.openid(), o.idempotencyKey())
                                .map(existing -> new Stored(existing, false))
                                .switchIfEmpty(Mono.error(duplicate)));
    }

    public Mono<PayOrder> find(String outTradeNo) {
        return db.sql("SELECT " + COLUMNS + " FROM pay_order WHERE out_trade_no = :no")
                .bind("no", outTradeNo).map(OrderRepository::order).one();
    }

    /** The order only if it belongs to this payer. */
    public Mono<PayOrder> findOwned(String outTradeNo, String openid) {
        return db.sql("SELECT " + COLUMNS + " FROM pay_order WHERE out_trade_no = :no AND openid = :openid")
                .bind("no", outTradeNo).bind("openid", openid).map(OrderRepository::order).one();
    }

    /** The latest committed row, locked until the surrounding transaction ends (a current read, not a snapshot). */
    public Mono<PayOrder> findForUpdate(String outTradeNo) {
        return db.sql("SELECT " + COLUMNS + " FROM pay_order WHERE out_trade_no = :no FOR UPDATE")
                .bind("no", outTradeNo).map(OrderRepository::order).one();
    }

    public Mono<PayOrder> findByIdempotencyKey(String openid, String key) {
        return db.sql("SELECT " + COLUMNS + " FROM pay_order WHERE openid = :openid AND idempotency_key = :key")
                .bind("openid", openid).bind("key", key).map(OrderRepository::order).one();
    }

    /**
     * Stores WeChat's prepay_id and the nonce/timestamp the payment parameters are signed with, unless another
     * request already stored one valid beyond {@code renewBefore}. True when this write happened.
     */
    public Mono<Boolean> storePrepay(String outTradeNo, String prepayId, Instant expiresAt, String nonceStr,
                                     long timestamp, Instant now, Instant renewBefore) {
        return db.sql("UPDATE pay_order SET prepay_id = :prepayId, prepay_expires_at = :expires, pay_nonce_str = :nonce, "
                        + "pay_timestamp = :ts, version = version + 1, updated_at = :now WHERE out_trade_no = :no "
                        + "AND trade_state = 'NOTPAY' AND (prepay_id IS NULL OR prepay_expires_at <= :renewBefore)")
                .bind("prepayId", prepayId)
                .bind("expires", utc(expiresAt))
                .bind("nonce", nonceStr)
                .bind("ts", timestamp)
                .bind("now", utc(now))
                .bind("renewBefore", utc(renewBefore))
                .bind("no", outTradeNo)
                .fetch().rowsUpdated().map(rows -> rows == 1);
    }

    /**
     * Deletes an order that WeChat never heard of (refused before the call), so a refused request leaves no row
     * behind and a retry with the same idempotency key starts afresh. Only an untouched NOTPAY row goes.
     */
    public Mono<Boolean> forgetUnsent(String outTradeNo) {
        return db.sql("DELETE FROM pay_order WHERE out_trade_no = :no AND trade_state = 'NOTPAY' "
                        + "AND prepay_id IS NULL AND version = 0")
                .bind("no", outTradeNo)
                .fetch().rowsUpdated().map(rows -> rows == 1);
    }

    /**
     * Moves the order to {@code to} from whichever of {@code from} it is in, in one guarded write, storing the
     * payment's details when given (and flagging a payment of a closed order). With {@code version}, only if the
     * row is still the one read. True only if this call made the move. Called by {@link OrderTransitions} alone.
     */
    Mono<Boolean> transition(String outTradeNo, Set<TradeState> from, TradeState to, Payment payment, Instant now,
                             Integer version) {
        // MySQL assigns left to right: paid_after_close reads trade_state before it changes
        DatabaseClient.GenericExecuteSpec spec = db.sql("UPDATE pay_order SET "
                        + "paid_after_close = paid_after_close OR (:to = 'SUCCESS' AND trade_state = 'CLOSED'), "
                        + "trade_state = :to, "
                        + "transaction_id = COALESCE(:tid, transaction_id), bank_type = COALESCE(:bank, bank_type), "
                        + "time_end = COALESCE(:timeEnd, time_end), version = version + 1, updated_at = :now "
                        + "WHERE out_trade_no = :no AND trade_state IN (:from)"
                        + (version == null ? "" : " AND version = :version"))
                .bind("to", to.name())
                .bind("now", utc(now))
                .bind("no", outTradeNo)
                .bind("from", from.stream().map(Enum::name).toList());
        if (version != null) {
            spec = spec.bind("version", version);
        }
        spec = bindNullable(spec, "tid", payment == null ? null : payment.transactionId());
        spec = bindNullable(spec, "bank", payment == null ? null : payment.bankType());
        spec = bindNullable(spec, "timeEnd", payment == null ? null : payment.timeEnd());
        return spec.fetch().rowsUpdated().map(rows -> rows == 1);
    }

    /** Open orders created before {@code createdBefore} whose reconcile lease (if any) has run out. */
    public Flux<String> dueForReconcile(Instant createdBefore, Instant now, int limit) {
        return db.sql("SELECT out_trade_no FROM pay_order WHERE trade_state IN ('NOTPAY', 'USERPAYING') "
                        + "AND created_at < :before AND (reconcile_after IS NULL OR reconcile_after <= :now) "
                        + "ORDER BY created_at LIMIT :limit")
                .bind("before", utc(createdBefore))
                .bind("now", utc(now))
                .bind("limit", limit)
                .map(row -> row.get("out_trade_no", String.class)).all();
    }

    /** How many orders are in each trade_state (states with none are absent): one grouped count over the table. */
    public Mono<Map<String, Long>> countByState() {
        return db.sql("SELECT trade_state, COUNT(*) AS orders FROM pay_order GROUP BY trade_state")
                .map(row -> Map.entry(row.get("trade_state", String.class), row.get("orders", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Takes the reconcile lease on one order until {@code until}; false if another instance holds it. */
    public Mono<Boolean> claimForReconcile(String outTradeNo, Instant now, Instant until) {
        return db.sql("UPDATE pay_order SET reconcile_after = :until WHERE out_trade_no = :no "
                        + "AND trade_state IN ('NOTPAY', 'USERPAYING') AND (reconcile_after IS NULL OR reconcile_after <= :now)")
                .bind("until", utc(until))
                .bind("no", outTradeNo)
                .bind("now", utc(now))
                .fetch().rowsUpdated().map(rows -> rows == 1);
    }

    private static DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec spec, String name,
                                                                   String value) {
        return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value);
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(Readable row, String column) {
        LocalDateTime value = row.get(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    private static PayOrder order(Readable row) {
        Integer version = row.get("version", Integer.class);
        return new PayOrder(
                row.get("out_trade_no", String.class),
                row.get("openid", String.class),
                row.get("idempotency_key", String.class),
                row.get("total_fee", Long.class),
                row.get("body", String.class),
                row.get("spbill_create_ip", String.class),
                SignType.valueOf(row.get("sign_type", String.class)),
                TradeState.valueOf(row.get("trade_state", String.class)),
                row.get("prepay_id", String.class),
                instant(row, "prepay_expires_at"),
                row.get("pay_nonce_str", String.class),
                row.get("pay_timestamp", Long.class),
                row.get("transaction_id", String.class),
                row.get("bank_type", String.class),
                row.get("time_end", String.class),
                version == null ? 0 : version,
                instant(row, "created_at"),
                instant(row, "updated_at"));
    }
}
