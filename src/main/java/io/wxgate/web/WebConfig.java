package io.wxgate.web;

import io.netty.channel.ChannelOption;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Caps every decoded request body at {@code gateway.http.max-body-bytes}; gives the context its own event loops;
 * lets a burst of new connections wait in the accept queue.
 */
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

    /** The public server's accept backlog ({@code gateway.http.accept-backlog}); Netty's default is 128. */
    @Bean
    NettyServerCustomizer acceptBacklog() {
        return server -> server.option(ChannelOption.SO_BACKLOG, limits.acceptBacklog());
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
        configurer.defaultCodecs().maxInMemorySize(limits.maxBodyBytes());
    }
}
