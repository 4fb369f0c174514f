package io.wxgate.sandbox.pay;

import io.wxgate.pay.TradeState;
import io.wxgate.wechat.PayV3Transaction;
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

    /** WeChat's {@code trade_state_desc} for the order's state. */
    public String tradeStateDesc() {
        return switch (state) {
            case NOTPAY -> "订单未支付";
            case USERPAYING -> "用户支付中";
            case SUCCESS -> "支付成功";
            case REFUND -> "转入退款";
            case CLOSED -> "订单已关闭";
            case REVOKED -> "已撤销";
            case PAYERROR -> "支付失败";
        };
    }

    /** The order as APIv3's query reply and notify resource show it; payment fields only once paid. */
    public PayV3Transaction asV3Transaction() {
        boolean paid = payment != null;
        return new PayV3Transaction(appid, mchId, outTradeNo,
                paid ? payment.transactionId() : null,
                tradeType, state.name(), tradeStateDesc(),
                paid ? payment.bankType() : null,
                attach == null ? "" : attach,
                paid ? WeChatIds.RFC3339.format(payment.paidAt()) : null,
                paid ? new PayV3Transaction.Payer(openid) : null,
                paid ? new PayV3Transaction.Amount(totalFee, payment.cashFee(), "CNY", "CNY")
                        : new PayV3Transaction.Amount(totalFee, null, "CNY", null));
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
