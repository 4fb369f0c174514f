package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat answered 45011: this mini-program is calling jscode2session too often. */
public class WechatRateLimited extends GatewayException {
    public WechatRateLimited() {
        super(HttpStatus.TOO_MANY_REQUESTS, "wechat_rate_limited", 4,
                "WeChat is rate limiting logins (errcode 45011); retry later");
    }
}
