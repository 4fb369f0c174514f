package io.wxgate.wechat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * WeChat Pay APIv3's transaction, as its query reply and a notify's decrypted {@code resource} carry it. Written by
 * the sandbox and read by the gateway with the same names, so the two cannot drift apart.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PayV3Transaction(
        String appid,
        String mchid,
        @JsonProperty("out_trade_no") String outTradeNo,
        @JsonProperty("transaction_id") String transactionId,
        @JsonProperty("trade_type") String tradeType,
        @JsonProperty("trade_state") String tradeState,
        @JsonProperty("trade_state_desc") String tradeStateDesc,
        @JsonProperty("bank_type") String bankType,
        String attach,
        @JsonProperty("success_time") String successTime,
        Payer payer,
        Amount amount) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Payer(String openid) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Amount(Long total, @JsonProperty("payer_total") Long payerTotal, String currency,
                         @JsonProperty("payer_currency") String payerCurrency) {
    }
}
