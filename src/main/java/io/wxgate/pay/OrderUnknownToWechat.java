package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat's ORDERNOTEXIST: the order never reached WeChat (no prepay_id was ever issued for it). */
public class OrderUnknownToWechat extends GatewayException {
    public OrderUnknownToWechat() {
        super(HttpStatus.NOT_FOUND, "order_unknown_to_wechat", 4, "WeChat Pay does not know this order");
    }
}
