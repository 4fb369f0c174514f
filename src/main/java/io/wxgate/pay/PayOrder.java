package io.wxgate.pay;

import io.wxgate.login.OpenidMask;
import io.wxgate.wechat.SignType;
import java.time.Instant;

/** One row of {@code pay_order}: what the payer asked for, what WeChat answered, and where the trade stands. */
public record PayOrder(
        String outTradeNo,
        String openid,
        String idempotencyKey,
        long totalFee,
        String body,
        String spbillCreateIp,
        SignType signType,
        TradeState tradeState,
        String prepayId,
        Instant prepayExpiresAt,
        String payNonceStr,
        Long payTimestamp,
        String transactionId,
        String bankType,
        String timeEnd,
        int version,
        Instant createdAt,
        Instant updatedAt) {

    /** A new order, not yet known to WeChat. */
    static PayOrder newOrder(String outTradeNo, String openid, String idempotencyKey, long totalFee, String body,
                             String clientIp, SignType signType, Instant now) {
        return new PayOrder(outTradeNo, openid, idempotencyKey, totalFee, body, clientIp, signType, TradeState.NOTPAY,
                null, null, null, null, null, null, null, 0, now, now);
    }

    /**
     * When WeChat stops accepting payment for the order: its time_expire, fixed by its creation so every retry and
     * renewal of its prepay sends the same terms.
     */
    public Instant timeExpire(java.time.Duration validity) {
        return createdAt.plus(validity);
    }

    /** Has a prepay_id the payer can still use at {@code instant}. */
    public boolean prepayUsableAt(Instant instant) {
        return prepayId != null && prepayExpiresAt != null && payNonceStr != null && payTimestamp != null
                && prepayExpiresAt.isAfter(instant);
    }

    /** Same request as another one under the same idempotency key. */
    boolean sameRequestAs(long otherTotalFee, String otherBody) {
        return totalFee == otherTotalFee && body.equals(otherBody);
    }

    @Override
    public String toString() {
        return "PayOrder[" + outTradeNo + ", openid=" + OpenidMask.mask(openid) + ", " + totalFee + " fen, " + tradeState + "]";
    }
}
