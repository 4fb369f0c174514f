package io.wxgate.notify;

import io.wxgate.pay.OrderRepository;
import io.wxgate.pay.OrderTransitions;
import io.wxgate.pay.PayOrder;
import io.wxgate.pay.Payment;
import io.wxgate.pay.TradeState;
import io.wxgate.pay.PaymentReport;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayV3Envelope;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Verifier;
import java.nio.charset.StandardCharsets;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * WeChat Pay's payment notify, APIv2 (signed XML) or APIv3 (signed JSON with an encrypted resource): verify it with
 * its version's envelope, check merchant, order, sign type and amount, then move the order to SUCCESS with one
 * guarded write.
 * The transition and its {@code pay_notify} row commit together, so SUCCESS is answered only for a state
 * that is durably written, and any number of copies of one notify apply once.
 */
@Service
public class NotifyService {

    private static final Logger log = LoggerFactory.getLogger(NotifyService.class);
    private static final long UNVERIFIED_LOG_EVERY = TimeUnit.SECONDS.toNanos(1);

    private final OrderRepository orders;
    private final OrderTransitions transitions;
    private final NotifyRepository notifies;
    private final TransactionalOperator transactions;
    private final Optional<PayV2Envelope> v2;
    private final Optional<PayV3Envelope> v3;
    private final PayXml xml;
    private final MeterRegistry meters;
    private final AtomicLong lastUnverifiedLog = new AtomicLong(System.nanoTime() - UNVERIFIED_LOG_EVERY - 1);

    public NotifyService(OrderRepository orders, OrderTransitions transitions, NotifyRepository notifies,
                         TransactionalOperator payTransactions,
                         Optional<PayV2Envelope> v2, Optional<PayV3Envelope> v3, PayXml xml, MeterRegistry meters) {
        this.orders = orders;
        this.transitions = transitions;
        this.notifies = notifies;
        this.transactions = payTransactions;
        this.v2 = v2;
        this.v3 = v3;
        this.xml = xml;
        this.meters = meters;
    }

    /** Judges, applies and records one APIv2 notify body; fails (and records nothing as applied) if the database is down. */
    public Mono<NotifyVerdict> receive(String raw) {
        Instant now = Instant.now();
        if (v2.isEmpty()) {
            return Mono.just(refusedUnverified(NotifyVerdict.BAD_SIGN, "APIv2 notify, but APIv2 is not configured"));
        }
        Map<String, String> fields;
        try {
            fields = xml.read(raw);
        } catch (PayXml.MalformedPayXml e) {
            return Mono.just(refusedUnverified(NotifyVerdict.MALFORMED, e.getMessage()));
        }
        Optional<SignType> signType = PayV2Envelope.signTypeOf(fields);
        Optional<PayV2Envelope.Failure> refused = signType.isEmpty() ? Optional.of(PayV2Envelope.Failure.BAD_SIGN)
                : v2.get().check(fields, signType.get());
        if (refused.isPresent() && refused.get() == PayV2Envelope.Failure.BAD_SIGN) {
            return Mono.just(refusedUnverified(NotifyVerdict.BAD_SIGN, "sign missing or wrong"));
        }
        PaymentReport report = PaymentReport.fromV2Notify(fields);
        String outTradeNo = report.outTradeNo();
        String transactionId = report.payment().map(Payment::transactionId).orElse(null);
        if (refused.isPresent()) {
            return reject(outTradeNo, transactionId, NotifyVerdict.WRONG_MERCHANT, "appid or mch_id is not ours", raw, now);
        }
        if (!"SUCCESS".equals(fields.get("return_code")) || report.tradeState().isEmpty()) {
            String detail = "return_code=" + fields.get("return_code") + " result_code=" + fields.get("result_code")
                    + " err_code=" + fields.get("err_code");
            return reject(outTradeNo, transactionId, NotifyVerdict.PAY_FAILED, detail, raw, now);
        }
        return settle(report, signType.get(), raw, now);
    }

    /**
     * Judges, applies and records one APIv3 notify: nothing of the body is read before its signature verified over
     * the raw bytes; then the resource is decrypted and the transaction checked as for APIv2.
     */
    public Mono<NotifyVerdict> receiveV3(PayV3Verifier.SignedHeaders headers, byte[] body) {
        Instant now = Instant.now();
        if (v3.isEmpty()) {
            return Mono.just(refusedUnverified(NotifyVerdict.BAD_SIGN, "APIv3 notify, but APIv3 is not configured"));
        }
        PayV3Envelope.Result opened = v3.get().open(headers, body, now);
        if (opened.why().isPresent()) {
            return Mono.just(refusedUnverified(NotifyVerdict.BAD_SIGN, "signature not verified: " + opened.why().get()));
        }
        String raw = new String(body, StandardCharsets.UTF_8);
        if (opened.failure().isPresent()) {
            return switch (opened.failure().get()) {
                case UNDECRYPTABLE -> reject(null, null, NotifyVerdict.UNDECRYPTABLE,
                        "resource does not decrypt with wechat.pay.v3.api-v3-key", raw, now);
                case WRONG_MERCHANT -> reject(null, null, NotifyVerdict.WRONG_MERCHANT, "appid or mchid is not ours",
                        raw, now);
                default -> reject(null, null, NotifyVerdict.MALFORMED, "not a transaction notify", raw, now);
            };
        }
        PayV3Envelope.Verified verified = opened.verified().orElseThrow();
        PaymentReport report = PaymentReport.fromV3(verified.transaction());
        if (!PayV3Notification.TRANSACTION_SUCCESS.equals(verified.notification().eventType())
                || report.tradeState().filter(state -> state == TradeState.SUCCESS).isEmpty()) {
            return reject(report.outTradeNo(), report.payment().map(Payment::transactionId).orElse(null),
                    NotifyVerdict.PAY_FAILED, "event_type=" + verified.notification().eventType() + " trade_state="
                            + verified.transaction().tradeState(), raw, now);
        }
        return settle(report, SignType.RSA, raw, now);
    }

    /** A verified report of a successful payment, signed with {@code signType}: checked against its order, applied once. */
    private Mono<NotifyVerdict> settle(PaymentReport report, SignType signType, String raw, Instant now) {
        String outTradeNo = report.outTradeNo();
        String transactionId = report.payment().map(Payment::transactionId).orElse(null);
        if (outTradeNo == null || report.payment().isEmpty()) {
            return reject(outTradeNo, transactionId, NotifyVerdict.MALFORMED, "out_trade_no or transaction_id missing",
                    raw, now);
        }
        Payment payment = report.payment().get();
        return orders.find(outTradeNo)
                .flatMap(order -> {
                    if (order.signType() != signType) {
                        return reject(outTradeNo, transactionId, NotifyVerdict.WRONG_SIGN_TYPE,
                                signType + " notify for an order signed " + order.signType(), raw, now);
                    }
                    if (!report.amountIs(order.totalFee())) {
                        return reject(outTradeNo, transactionId, NotifyVerdict.AMOUNT_MISMATCH,
                                "total_fee " + report.totalFee().map(String::valueOf).orElse("(none)")
                                        + " but the order is " + order.totalFee(), raw, now);
                    }
                    return apply(order, payment, raw, now);
                })
                .switchIfEmpty(Mono.defer(() -> reject(outTradeNo, transactionId, NotifyVerdict.UNKNOWN_ORDER,
                        "no such out_trade_no", raw, now)));
    }

    /** Counts an APIv3 notify sent to the APIv2 path; it is not read, and nothing of it is stored. */
    public NotifyVerdict atWrongPath() {
        return refusedUnverified(NotifyVerdict.MALFORMED, "an APIv3 notify at the APIv2 path: check wechat.pay.notify-url");
    }

    /** Counts a notify refused for its size; it was not read past the limit, and nothing of it is stored. */
    public NotifyVerdict tooLarge(int maxBytes) {
        return refusedUnverified(NotifyVerdict.TOO_LARGE, "body larger than " + maxBytes + " bytes");
    }

    /**
     * A body nobody proved to be WeChat's: counted by verdict, logged at most once a second, never stored, so
     * forged or junk notifies cannot fill the database.
     */
    private NotifyVerdict refusedUnverified(NotifyVerdict verdict, String detail) {
        Counter.builder("wxgate.pay.notify.unverified").tag("verdict", verdict.name())
                .description("notifies refused before their sign was verified; not stored").register(meters)
                .increment();
        long now = System.nanoTime();
        long last = lastUnverifiedLog.get();
        if (now - last > UNVERIFIED_LOG_EVERY && lastUnverifiedLog.compareAndSet(last, now)) {
            log.warn("notify refused before verification: {} ({}); further ones within a second are only counted",
                    verdict, detail);
        }
        return verdict;
    }

    /**
     * The guarded transition and its audit row, in one transaction. A copy of a notify already applied (WeChat
     * sends several) needs neither: its audit row is one write.
     */
    private Mono<NotifyVerdict> apply(PayOrder order, Payment payment, String raw, Instant now) {
        String no = order.outTradeNo();
        if (judgeUnapplied(order, payment) == NotifyVerdict.DUPLICATE) {
            return notifies.record(new NotifyRepository.Received(no, payment.transactionId(), NotifyVerdict.DUPLICATE,
                    null, raw, now)).thenReturn(NotifyVerdict.DUPLICATE);
        }
        Mono<NotifyVerdict> work = transitions.paid(order, payment, now)
                .flatMap(outcome -> switch (outcome) {
                    case MOVED -> Mono.just(NotifyVerdict.APPLIED);
                    case PAID_AFTER_CLOSE -> Mono.just(NotifyVerdict.APPLIED_AFTER_CLOSE);
                    case NOT_MOVED -> orders.findForUpdate(no).map(current -> judgeUnapplied(current, payment));
                })
                .flatMap(verdict -> notifies.record(new NotifyRepository.Received(no, payment.transactionId(), verdict,
                                verdict == NotifyVerdict.STATE_CONFLICT ? "order is not payable here" : null, raw, now))
                        .thenReturn(verdict));
        return transactions.transactional(work).doOnNext(verdict -> {
            if (verdict == NotifyVerdict.APPLIED || verdict == NotifyVerdict.APPLIED_AFTER_CLOSE) {
                log.info("order {} paid (notify)", no);
            } else if (verdict == NotifyVerdict.STATE_CONFLICT) {
                log.error("notify says order {} is paid but it cannot be applied here; recorded for follow-up", no);
            }
        });
    }

    private static NotifyVerdict judgeUnapplied(PayOrder current, Payment payment) {
        boolean paidWithThis = (current.tradeState() == TradeState.SUCCESS || current.tradeState() == TradeState.REFUND)
                && payment.transactionId().equals(current.transactionId());
        return paidWithThis ? NotifyVerdict.DUPLICATE : NotifyVerdict.STATE_CONFLICT;
    }

    private Mono<NotifyVerdict> reject(String outTradeNo, String transactionId, NotifyVerdict verdict, String detail,
                                       String raw, Instant now) {
        if (!verdict.acknowledged()) {
            log.warn("notify rejected: {} ({}) for order {}", verdict, detail, outTradeNo);
        }
        return notifies.record(new NotifyRepository.Received(outTradeNo, transactionId, verdict, detail, raw, now))
                .thenReturn(verdict);
    }


}
