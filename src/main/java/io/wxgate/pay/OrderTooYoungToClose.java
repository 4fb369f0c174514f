package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat Pay closes an order only 5 minutes after it was placed; until then the gateway does not try. */
public class OrderTooYoungToClose extends GatewayException {
    public OrderTooYoungToClose() {
        super(HttpStatus.CONFLICT, "order_too_young_to_close", 3,
                "WeChat Pay lets an order be closed 5 minutes after it was placed; try again later");
    }
}
