package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** WeChat Pay is down, busy (SYSTEMERROR) or failing so often that the circuit breaker is open: retry later. */
public class WechatPayUnavailable extends GatewayException {
    private final Duration retryAfter;
    private final boolean called;

    public WechatPayUnavailable(String detail, Duration retryAfter) {
        this(detail, retryAfter, true);
    }

    private WechatPayUnavailable(String detail, Duration retryAfter, boolean called) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "wechat_pay_unavailable", 5, detail);
        this.retryAfter = retryAfter;
        this.called = called;
    }

    /** The circuit is open: this request was not sent to WeChat Pay at all. */
    static WechatPayUnavailable circuitOpen(Duration retryAfter) {
        return new WechatPayUnavailable("WeChat Pay is failing; the gateway is not calling it for a while (circuit open)",
                retryAfter, false);
    }

    /** False when WeChat Pay certainly never received the request. */
    public boolean wechatMayHaveIt() {
        return called;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
