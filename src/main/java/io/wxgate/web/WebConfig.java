package io.wxgate.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/** Caps every decoded request body at {@code gateway.http.max-body-bytes}; gives the context its own event loops. */
@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebFluxConfigurer {

    private final HttpLimits limits;

    public WebConfig(HttpLimits limits) {
        this.limits = limits;
    }

    /**
     * Event loops owned by this application context rather than Reactor Netty's global ones, so that
     * closing one context (a test's, the embedded sandbox's) never shuts down another's server or client.
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
        configurer.defaultCodecs().maxInMemorySize(limits.maxBodyBytes());
    }
}
