package io.wxgate.login;

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
        @DefaultValue("5s") Duration responseTimeout) {

    @Override
    public String toString() {
        return "MiniappProperties[appid=" + appid + ", baseUrl=" + baseUrl + "]";
    }
}
