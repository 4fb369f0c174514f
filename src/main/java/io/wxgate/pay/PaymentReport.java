package io.wxgate.pay;

import io.wxgate.wechat.PayV3Transaction;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * What WeChat says about one order, as a value: from an APIv2 notify or orderquery reply today (and an APIv3
 * notify or query beside it), so the code that applies it reads typed fields, never a wire format's names.
 * {@code tradeState} is empty for a state WeChat does not define; {@code totalFee} for a missing or bad amount.
 */
public record PaymentReport(String outTradeNo, Optional<TradeState> tradeState, Optional<Long> totalFee,
                            Optional<Payment> payment) {

    /** APIv2's time_end, which the order keeps whatever the API: yyyyMMddHHmmss in Beijing time. */
    private static final DateTimeFormatter TIME_END = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    /** An APIv3 transaction (a query reply, or a notify's decrypted resource): its trade_state and amount.total. */
    public static PaymentReport fromV3(PayV3Transaction t) {
        String no = t.outTradeNo();
        Long total = t.amount() == null ? null : t.amount().total();
        String transactionId = Payment.saneTransactionId(t.transactionId());
        Optional<Payment> payment = transactionId == null ? Optional.empty()
                : Optional.of(new Payment(transactionId, t.bankType(), timeEnd(t.successTime())));
        return new PaymentReport(OutTradeNo.valid(no) ? no : null, TradeState.fromWire(t.tradeState()),
                total == null || total <= 0 ? Optional.empty() : Optional.of(total), payment);
    }

    private static String timeEnd(String successTime) {
        if (successTime == null) {
            return null;
        }
        try {
            return TIME_END.format(OffsetDateTime.parse(successTime).atZoneSameInstant(ZoneOffset.ofHours(8)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** An APIv2 notify: a successful payment when result_code is SUCCESS (it carries no trade_state). */
    public static PaymentReport fromV2Notify(Map<String, String> fields) {
        Optional<TradeState> state = "SUCCESS".equals(fields.get("result_code"))
                ? Optional.of(TradeState.SUCCESS) : Optional.empty();
        return fromV2(fields, state);
    }

    /** An APIv2 orderquery reply: its trade_state. */
    public static PaymentReport fromV2Query(Map<String, String> fields) {
        return fromV2(fields, TradeState.fromWire(fields.get("trade_state")));
    }

    private static PaymentReport fromV2(Map<String, String> fields, Optional<TradeState> state) {
        String no = fields.get("out_trade_no");
        return new PaymentReport(OutTradeNo.valid(no) ? no : null, state, fen(fields.get("total_fee")),
                Payment.reportedIn(fields));
    }

    /** True when the report names this order and its exact amount. */
    public boolean amountIs(long fen) {
        return totalFee.isPresent() && totalFee.get() == fen;
    }

    private static Optional<Long> fen(String value) {
        if (value == null || !value.matches("[1-9][0-9]{0,15}")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(value));
    }
}
