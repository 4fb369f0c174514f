package io.wxgate.login;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * On a Redis Cluster, Lettuce re-reads the topology on its adaptive triggers (MOVED, ASK, reconnect attempts) and
 * every {@code spring.data.redis.lettuce.cluster.refresh.period}. After one adaptive refresh it ignores the triggers
 * for 30 s by default: in a failover the first refresh often comes before the replica is promoted, and the gateway
 * would then answer 503 until the next period. Five seconds lets the refresh that follows the promotion happen.
 */
@Configuration(proxyBeanMethods = false)
class RedisClusterRefresh {

    static final Duration ADAPTIVE_REFRESH_QUIET_TIME = Duration.ofSeconds(5);

    @Bean
    LettuceClientOptionsBuilderCustomizer clusterTopologyRefresh(DataRedisProperties properties) {
        return builder -> {
            if (builder instanceof ClusterClientOptions.Builder cluster) {
                DataRedisProperties.Lettuce.Cluster.Refresh refresh = properties.getLettuce().getCluster().getRefresh();
                ClusterTopologyRefreshOptions.Builder options = ClusterTopologyRefreshOptions.builder()
                        .dynamicRefreshSources(refresh.isDynamicRefreshSources())
                        .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_QUIET_TIME);
                if (refresh.getPeriod() != null) {
                    options.enablePeriodicRefresh(refresh.getPeriod());
                }
                if (refresh.isAdaptive()) {
                    options.enableAllAdaptiveRefreshTriggers();
                }
                cluster.topologyRefreshOptions(options.build());
            }
        };
    }
}
