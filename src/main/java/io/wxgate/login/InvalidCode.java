package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat refused the login code (40029 invalid, 40163 already used): the mini-program must call wx.login again. */
public class InvalidCode extends GatewayException {
    public InvalidCode(int errcode) {
        super(HttpStatus.BAD_REQUEST, "invalid_code", 2,
                "the login code is invalid, expired or already used (WeChat errcode " + errcode + "); call wx.login again");
    }
}
