package io.wxgate.pay;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** What WeChat says about a completed payment: its transaction_id, the payer's bank_type and time_end (yyyyMMddHHmmss). */
public record Payment(String transactionId, String bankType, String timeEnd) {

    private static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9]{1,32}");

    /** The value if it has the shape of WeChat's transaction_id (at most 32 letters and digits), else null. */
    public static String saneTransactionId(String value) {
        return value != null && TRANSACTION_ID.matcher(value).matches() ? value : null;
    }

    /**
     * The payment a notify or an orderquery reply reports; empty when it carries no sane transaction_id, since an
     * order marked paid without one could never recognise WeChat's later notify for it as the same payment.
     */
    public static Optional<Payment> reportedIn(Map<String, String> fields) {
        String transactionId = saneTransactionId(fields.get("transaction_id"));
        return transactionId == null ? Optional.empty()
                : Optional.of(new Payment(transactionId, fields.get("bank_type"), fields.get("time_end")));
    }
}
