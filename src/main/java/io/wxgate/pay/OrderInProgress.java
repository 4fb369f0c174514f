package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The order is still open but changed under this request (being paid or closed right now): ask again shortly. */
public class OrderInProgress extends GatewayException {
    public OrderInProgress() {
        super(HttpStatus.CONFLICT, "order_in_progress", 3, "the order is changing right now; retry shortly");
    }
}
