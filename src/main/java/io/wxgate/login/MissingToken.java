package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** A versioned route was called without {@code Authorization: Bearer <token>}. */
public class MissingToken extends GatewayException {
    public MissingToken() {
        super(HttpStatus.UNAUTHORIZED, "missing_token", 2, "send the login token as Authorization: Bearer <token>");
    }
}
