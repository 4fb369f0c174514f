package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The token is unknown, malformed or past its TTL: the mini-program must call wx.login again. */
public class SessionExpired extends GatewayException {
    public SessionExpired() {
        super(HttpStatus.UNAUTHORIZED, "session_expired", 2, "token is invalid or expired; log in again");
    }
}
