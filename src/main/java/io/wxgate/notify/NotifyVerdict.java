package io.wxgate.notify;

/**
 * What the gateway made of one notify, and whether WeChat is told SUCCESS. Verdicts reached before the sign is
 * verified (MALFORMED XML, TOO_LARGE, BAD_SIGN) are anyone's to provoke: they are counted
 * ({@code wxgate.pay.notify.unverified}) and never stored; every other verdict is a {@code pay_notify} row.
 */
public enum NotifyVerdict {
    /** Moved the order to SUCCESS. */
    APPLIED(true),
    /** Moved an order closed here to SUCCESS (WeChat says it was paid) and flagged it for an operator. */
    APPLIED_AFTER_CLOSE(true),
    /** The order is already SUCCESS with this transaction_id: acknowledged, nothing changed. */
    DUPLICATE(true),
    /** Signed, but WeChat reports a failed payment (return_code/result_code FAIL): acknowledged, nothing to apply. */
    PAY_FAILED(true),
    /** Not XML, not flat, a DOCTYPE/entity payload (not stored), or signed but lacking out_trade_no/transaction_id. */
    MALFORMED(false),
    /** Larger than gateway.http.max-body-bytes: not read past the limit, so only the fact is kept. */
    TOO_LARGE(false),
    /** Missing, unknown-type or wrong sign. */
    BAD_SIGN(false),
    /** Correctly signed, but with another sign type than the order's (an MD5 notify for an HMAC-SHA256 order). */
    WRONG_SIGN_TYPE(false),
    /** Signed by WeChat Pay (APIv3), but its resource does not decrypt with the configured APIv3 key. */
    UNDECRYPTABLE(false),
    /** Correctly signed, but for another appid or mch_id. */
    WRONG_MERCHANT(false),
    /** No such out_trade_no here. */
    UNKNOWN_ORDER(false),
    /** total_fee differs from the order's. */
    AMOUNT_MISMATCH(false),
    /** The order failed here (REVOKED, PAYERROR), or is paid with another transaction_id: left for a human. */
    STATE_CONFLICT(false);

    private final boolean acknowledged;

    NotifyVerdict(boolean acknowledged) {
        this.acknowledged = acknowledged;
    }


    /** True when WeChat gets SUCCESS and stops retrying. */
    public boolean acknowledged() {
        return acknowledged;
    }
}
