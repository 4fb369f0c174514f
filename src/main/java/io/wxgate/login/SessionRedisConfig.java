package io.wxgate.login;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce opens its shared connection lazily, and blockingly, on first use: that first use would be a
 * request on an event-loop thread. Opening it while the context starts keeps request threads non-blocking;
 * Lettuce reconnects that same connection in the background if Redis goes away later.
 */
@Configuration(proxyBeanMethods = false)
public class SessionRedisConfig {

    @Bean
    static BeanPostProcessor eagerRedisConnection() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setEagerInitialization(true);
                }
                return bean;
            }
        };
    }
}
