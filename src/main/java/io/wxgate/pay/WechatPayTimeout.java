package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat Pay did not answer in time, even after retries; the call may or may not have taken effect there. */
public class WechatPayTimeout extends GatewayException {
    public WechatPayTimeout(String detail) {
        super(HttpStatus.GATEWAY_TIMEOUT, "wechat_pay_timeout", 5, detail);
    }
}
