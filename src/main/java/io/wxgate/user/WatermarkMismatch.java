package io.wxgate.user;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The decrypted data was sealed for another mini-program (watermark.appid) or another user (openId). */
public class WatermarkMismatch extends GatewayException {
    public WatermarkMismatch(String detail) {
        super(HttpStatus.BAD_REQUEST, "watermark_mismatch", 3, detail);
    }
}
