package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** No order with this out_trade_no belongs to the caller (another payer's order looks the same as none). */
public class OrderNotFound extends GatewayException {
    public OrderNotFound() {
        super(HttpStatus.NOT_FOUND, "order_not_found", 4, "no such order");
    }
}
