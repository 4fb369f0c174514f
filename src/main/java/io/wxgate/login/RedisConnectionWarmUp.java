package io.wxgate.login;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Lettuce opens its shared connection lazily, and blockingly, on first use: that first use would be a
 * request on an event-loop thread. This opens it while the gateway starts instead; Lettuce then reconnects
 * that same connection in the background whenever Redis comes back. With Redis down at startup the gateway
 * still starts (sessions answer 503 until Redis is back).
 */
@Component
public class RedisConnectionWarmUp {

    private static final Logger log = LoggerFactory.getLogger(RedisConnectionWarmUp.class);

    private final ObjectProvider<LettuceConnectionFactory> lettuce;

    public RedisConnectionWarmUp(ObjectProvider<LettuceConnectionFactory> lettuce) {
        this.lettuce = lettuce;
    }

    @EventListener(ContextRefreshedEvent.class)
    public void openSharedConnection() {
        lettuce.ifAvailable(factory -> {
            try {
                factory.initConnection();
            } catch (RedisConnectionFailureException e) {
                log.warn("Redis is not reachable at startup; sessions will be unavailable until it is ({})",
                        e.getClass().getSimpleName());
            }
        });
    }
}
