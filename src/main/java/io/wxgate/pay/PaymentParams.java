package io.wxgate.pay;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The five parameters the mini-program hands to {@code wx.requestPayment}, named as WeChat names them. */
public record PaymentParams(String timeStamp, String nonceStr, @JsonProperty("package") String packageValue,
                            String signType, String paySign) {
}
