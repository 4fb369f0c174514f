package io.wxgate.wechat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of {@code POST /v3/pay/transactions/jsapi}, as the gateway writes it and the sandbox reads it. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PayV3JsapiOrder(
        String appid,
        String mchid,
        String description,
        @JsonProperty("out_trade_no") String outTradeNo,
        @JsonProperty("time_expire") String timeExpire,
        String attach,
        @JsonProperty("notify_url") String notifyUrl,
        PayV3Transaction.Amount amount,
        PayV3Transaction.Payer payer) {
}
