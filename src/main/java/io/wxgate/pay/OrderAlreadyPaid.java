package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The order is already paid (WeChat's ORDERPAID, or our own SUCCESS/REFUND row): nothing left to pay or close. */
public class OrderAlreadyPaid extends GatewayException {
    public OrderAlreadyPaid() {
        super(HttpStatus.CONFLICT, "order_paid", 3, "the order is already paid");
    }
}
