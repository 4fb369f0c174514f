package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat Pay answered, and said no: return_code FAIL, or result_code FAIL with an err_code that no retry will fix. */
public class WechatPayRejected extends GatewayException {

    private final String errCode;

    public WechatPayRejected(HttpStatus status, String errCode, String detail) {
        super(status, "wechat_pay_rejected", 3, detail);
        this.errCode = errCode;
    }

    /** WeChat's err_code (or {@code return_code} when the request itself was refused). */
    public String errCode() {
        return errCode;
    }
}
