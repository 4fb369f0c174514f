package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat answered with an error the gateway has no better mapping for, or with something unreadable. */
public class WechatFailed extends GatewayException {
    public WechatFailed(String detail) {
        super(HttpStatus.BAD_GATEWAY, "wechat_error", 4, detail);
    }

    public static WechatFailed errcode(int errcode) {
        return new WechatFailed("WeChat refused jscode2session with errcode " + errcode);
    }
}
