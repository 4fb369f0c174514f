package io.wxgate.login;

import io.wxgate.web.GatewayException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** WeChat is busy (errcode -1), cannot be reached, or did not answer in time; the client may retry. */
public class WechatUnavailable extends GatewayException {

    private static final Duration SOON = Duration.ofSeconds(5);

    private final Duration retryAfter;

    private WechatUnavailable(HttpStatus status, String code, String detail, Duration retryAfter) {
        super(status, code, 5, detail);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }

    public static WechatUnavailable busy() {
        return new WechatUnavailable(HttpStatus.SERVICE_UNAVAILABLE, "wechat_busy",
                "WeChat is busy (errcode -1); retry later", SOON);
    }

    public static WechatUnavailable unreachable() {
        return new WechatUnavailable(HttpStatus.SERVICE_UNAVAILABLE, "wechat_unreachable",
                "WeChat cannot be reached; retry later", SOON);
    }

    public static WechatUnavailable timedOut() {
        return new WechatUnavailable(HttpStatus.GATEWAY_TIMEOUT, "wechat_timeout",
                "WeChat did not answer in time; retry later", SOON);
    }

    public static WechatUnavailable circuitOpen(Duration retryAfter) {
        return new WechatUnavailable(HttpStatus.SERVICE_UNAVAILABLE, "wechat_unavailable",
                "WeChat is failing; the gateway is not calling it for a while; retry later", retryAfter);
    }
}
