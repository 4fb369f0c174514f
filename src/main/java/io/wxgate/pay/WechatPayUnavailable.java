package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat Pay is down, busy (SYSTEMERROR) or failing so often that the circuit breaker is open: retry later. */
public class WechatPayUnavailable extends GatewayException {
    public WechatPayUnavailable(String detail) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "wechat_pay_unavailable", 5, detail);
    }
}
