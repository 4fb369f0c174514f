package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The amount is not a positive whole number of fen within the merchant's limit. */
public class InvalidAmount extends GatewayException {
    public InvalidAmount(String detail) {
        super(HttpStatus.BAD_REQUEST, "invalid_amount", 1, detail);
    }
}
