package io.wxgate.pay;

import io.wxgate.overload.GateSettings;
import io.wxgate.wechat.SignType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** The merchant's WeChat Pay APIv2 identity, where WeChat Pay lives, and how the gateway talks to it. */
@Validated
@ConfigurationProperties("wechat.pay")
public record PayProperties(
        @NotBlank(message = "set WXGATE_PAY_MCH_ID (wechat.pay.mch-id)") String mchId,
        @NotBlank(message = "set WXGATE_PAY_API_KEY (wechat.pay.api-key)") String apiKey,
        @NotNull @DefaultValue("https://api.mch.weixin.qq.com") URI baseUrl,
        @NotNull(message = "set WXGATE_PAY_NOTIFY_URL (wechat.pay.notify-url)") URI notifyUrl,
        @NotNull @DefaultValue("MD5") SignType signType,
        @Min(1) @DefaultValue("1000000") long maxTotalFee,
        @NotBlank @Size(max = 128) @DefaultValue("wxgate order") String body,
        @NotNull @DefaultValue("2h") Duration prepayValidity,
        @NotNull @DefaultValue("5m") Duration prepayReuseMargin,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("5s") Duration responseTimeout,
        @Valid @NotNull @DefaultValue Retry retry,
        @Valid @NotNull @DefaultValue Breaker breaker,
        @Valid @NotNull @DefaultValue GateSettings gate,
        @Valid @NotNull @DefaultValue Reconciler reconciler) {

    /** Retries of idempotent calls (same out_trade_no, same fields) on SYSTEMERROR, timeouts and 5xx. */
    public record Retry(@Min(0) @DefaultValue("2") int maxRetries,
                        @NotNull @DefaultValue("200ms") Duration firstBackoff,
                        @NotNull @DefaultValue("2s") Duration maxBackoff,
                        @DefaultValue("0.5") double jitter) {
    }

    /** The circuit breaker around WeChat Pay: open after this failure rate, fail fast while open. */
    public record Breaker(@Min(1) @DefaultValue("50") float failureRateThreshold,
                         @Min(1) @DefaultValue("20") int slidingWindowSize,
                         @Min(1) @DefaultValue("10") int minimumNumberOfCalls,
                         @NotNull @DefaultValue("30s") Duration waitInOpenState,
                         @Min(1) @DefaultValue("3") int permittedCallsInHalfOpenState) {
    }

    /** The background job that asks WeChat about orders whose notify never came. */
    public record Reconciler(@DefaultValue("true") boolean enabled,
                             @NotNull @DefaultValue("5m") Duration age,
                             @NotNull @DefaultValue("1m") Duration interval,
                             @NotNull @DefaultValue("2m") Duration lease,
                             @Min(1) @DefaultValue("50") int batchSize) {
    }

    public PayProperties {
        if (apiKey != null && !apiKey.isBlank() && apiKey.length() != 32) {
            throw new IllegalArgumentException("wechat.pay.api-key must be the 32-character APIv2 key");
        }
    }

    @Override
    public String toString() {
        return "PayProperties[mchId=" + mchId + ", baseUrl=" + baseUrl + ", notifyUrl=" + notifyUrl
                + ", signType=" + signType + "]";
    }
}
