package io.wxgate.login;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** How long a gateway token lives in Redis. */
@Validated
@ConfigurationProperties("gateway.session")
public record SessionProperties(@DefaultValue("7200s") Duration ttl) {

    public SessionProperties {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("gateway.session.ttl must be positive");
        }
    }
}
