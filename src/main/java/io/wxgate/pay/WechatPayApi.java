package io.wxgate.pay;

import reactor.core.publisher.Mono;

/**
 * What the gateway asks of WeChat Pay about one order, the same for APIv2 ({@link WechatPayClient}) and APIv3
 * ({@link WechatPayV3Client}); {@link WechatPay} picks the one an order was placed with. Every call is safe to repeat.
 */
public interface WechatPayApi {

    /** A prepay_id for the order: the same out_trade_no with the same terms is one order at WeChat. */
    Mono<String> prepay(PayOrder order);

    /** WeChat's view of the order, verified. */
    Mono<PaymentReport> orderQuery(PayOrder order);

    /** Closes the order at WeChat so it can no longer be paid; errors say why not (paid, closed, unknown). */
    Mono<Void> closeOrder(PayOrder order);

    /** {@code wx.requestPayment}'s parameters for an order with a prepay_id, signed as its API wants. */
    PaymentParams params(PayOrder order);
}
