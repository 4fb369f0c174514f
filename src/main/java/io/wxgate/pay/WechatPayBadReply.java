package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The reply was not WeChat Pay's: malformed, unsigned, wrongly signed, or for another merchant. Never trusted. */
public class WechatPayBadReply extends GatewayException {
    public WechatPayBadReply(String detail) {
        super(HttpStatus.BAD_GATEWAY, "wechat_pay_bad_reply", 3, detail);
    }
}
