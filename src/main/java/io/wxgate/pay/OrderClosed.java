package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The order is closed, revoked or failed (WeChat's ORDERCLOSED, or our own row): create a new one to pay. */
public class OrderClosed extends GatewayException {
    public OrderClosed() {
        super(HttpStatus.CONFLICT, "order_closed", 3, "the order is closed; create a new order to pay");
    }
}
