package io.wxgate.pay;

/** What WeChat says about a completed payment: its transaction_id, the payer's bank_type and time_end (yyyyMMddHHmmss). */
public record Payment(String transactionId, String bankType, String timeEnd) {
}
