package io.wxgate.pay;

import io.wxgate.wechat.SignType;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * WeChat Pay as the order code sees it: new orders go to the configured API version, and each existing order to
 * the version it was placed with (its sign type: RSA for APIv3), so switching versions strands no order.
 */
public final class WechatPay {

    private final WechatPayCalls calls;
    private final Optional<WechatPayApi> v2;
    private final Optional<WechatPayApi> v3;
    private final SignType newOrders;

    public WechatPay(WechatPayCalls calls, Optional<WechatPayApi> v2, Optional<WechatPayApi> v3, SignType newOrders) {
        this.calls = calls;
        this.v2 = v2;
        this.v3 = v3;
        this.newOrders = newOrders;
    }

    /** The sign type new orders get, which fixes their API version for life. */
    public SignType newOrderSignType() {
        return newOrders;
    }

    /** See {@link WechatPayCalls#admitted}. */
    public <T> Mono<T> admitted(Mono<T> work) {
        return calls.admitted(work);
    }

    public Mono<String> prepay(PayOrder order) {
        return api(order).flatMap(api -> api.prepay(order));
    }

    public Mono<PaymentReport> orderQuery(PayOrder order) {
        return api(order).flatMap(api -> api.orderQuery(order));
    }

    public Mono<Void> closeOrder(PayOrder order) {
        return api(order).flatMap(api -> api.closeOrder(order));
    }

    public PaymentParams params(PayOrder order) {
        return (order.signType() == SignType.RSA ? v3 : v2).orElseThrow(() -> notConfigured(order)).params(order);
    }

    private Mono<WechatPayApi> api(PayOrder order) {
        Optional<WechatPayApi> api = order.signType() == SignType.RSA ? v3 : v2;
        return api.map(Mono::just).orElseGet(() -> Mono.error(notConfigured(order)));
    }

    private static WechatPayRejected notConfigured(PayOrder order) {
        return new WechatPayRejected(HttpStatus.BAD_GATEWAY, "API_NOT_CONFIGURED", "order " + order.outTradeNo()
                + " was placed with WeChat Pay API" + (order.signType() == SignType.RSA ? "v3" : "v2")
                + ", whose credentials are not configured");
    }
}
