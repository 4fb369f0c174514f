package io.wxgate.user;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** {@code signature} is not {@code sha1(rawData + session_key)}: tampered rawData or a stale session. */
public class SignatureMismatch extends GatewayException {
    public SignatureMismatch() {
        super(HttpStatus.BAD_REQUEST, "signature_mismatch", 3,
                "signature does not match rawData for this session; call wx.login and wx.getUserInfo again");
    }
}
