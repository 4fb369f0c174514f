package io.wxgate.login;

import io.wxgate.overload.GateSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** The mini-program's identity at WeChat and where WeChat's API lives (the sandbox in tests). */
@Validated
@ConfigurationProperties("wechat.miniapp")
public record MiniappProperties(
        @NotBlank(message = "set WXGATE_MINIAPP_APPID (wechat.miniapp.appid)") String appid,
        @NotBlank(message = "set WXGATE_MINIAPP_SECRET (wechat.miniapp.secret)") String secret,
        @NotNull @DefaultValue("https://api.weixin.qq.com") URI baseUrl,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration responseTimeout,
        @Valid @NotNull @DefaultValue Breaker breaker,
        @Valid @NotNull @DefaultValue GateSettings gate) {

    /**
     * The circuit breaker around jscode2session: when at least {@code failureRateThreshold} percent of the last
     * {@code slidingWindowSize} calls (and no fewer than {@code minimumNumberOfCalls}) timed out or could not reach
     * WeChat, logins fail fast for {@code waitInOpenState}.
     */
    public record Breaker(@Min(1) @Max(100) @DefaultValue("50") float failureRateThreshold,
                          @Min(1) @DefaultValue("20") int slidingWindowSize,
                          @Min(1) @DefaultValue("10") int minimumNumberOfCalls,
                          @NotNull @DefaultValue("30s") Duration waitInOpenState) {

        public static final Breaker DEFAULTS = new Breaker(50, 20, 10, Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return "MiniappProperties[appid=" + appid + ", baseUrl=" + baseUrl + "]";
    }
}
