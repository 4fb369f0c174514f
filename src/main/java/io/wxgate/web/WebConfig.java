package io.wxgate.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/** Caps every decoded request body at {@code gateway.http.max-body-bytes}. */
@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebFluxConfigurer {

    private final HttpLimits limits;

    public WebConfig(HttpLimits limits) {
        this.limits = limits;
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
        configurer.defaultCodecs().maxInMemorySize(limits.maxBodyBytes());
    }
}
