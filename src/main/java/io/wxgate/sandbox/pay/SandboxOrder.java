package io.wxgate.sandbox.pay;

import io.wxgate.wechat.SignType;
import java.time.Instant;
import java.util.Map;

/**
 * One order as the sandbox's WeChat Pay remembers it. Values are immutable: every transition returns a new one.
 *
 * @param terms the unifiedorder fields that define the order; a repeated out_trade_no must carry the same ones
 * @param signType the sign type of the unifiedorder that created the order, used again for its notify
 */
public record SandboxOrder(
        String mchId,
        String appid,
        String outTradeNo,
        long totalFee,
        String openid,
        String notifyUrl,
        String tradeType,
        String attach,
        SignType signType,
        Map<String, String> terms,
        String prepayId,
        Instant prepayExpiresAt,
        TradeState state,
        Payment payment) {

    /** What WeChat records when the payer pays. */
    public record Payment(String transactionId, Instant paidAt, String bankType, long cashFee) {
    }

    public boolean prepayExpired(Instant now) {
        return !now.isBefore(prepayExpiresAt);
    }

    SandboxOrder withPrepay(String newPrepayId, Instant expiresAt) {
        return new SandboxOrder(mchId, appid, outTradeNo, totalFee, openid, notifyUrl, tradeType, attach, signType,
                terms, newPrepayId, expiresAt, state, payment);
    }

    SandboxOrder paid(Payment newPayment) {
        return new SandboxOrder(mchId, appid, outTradeNo, totalFee, openid, notifyUrl, tradeType, attach, signType,
                terms, prepayId, prepayExpiresAt, TradeState.SUCCESS, newPayment);
    }

    SandboxOrder closed() {
        return new SandboxOrder(mchId, appid, outTradeNo, totalFee, openid, notifyUrl, tradeType, attach, signType,
                terms, prepayId, prepayExpiresAt, TradeState.CLOSED, payment);
    }
}
