package io.wxgate.pay;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** How often {@link OrdersByState} counts the orders table. */
@Validated
@ConfigurationProperties("gateway.metrics")
public record OrderGaugeProperties(@DefaultValue("1m") Duration ordersByStateInterval) {

    public OrderGaugeProperties {
        if (ordersByStateInterval.isNegative() || ordersByStateInterval.isZero()) {
            throw new IllegalArgumentException("gateway.metrics.orders-by-state-interval must be positive");
        }
    }
}
