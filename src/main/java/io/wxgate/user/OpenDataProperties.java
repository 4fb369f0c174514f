package io.wxgate.user;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How strictly the legacy encrypted flows treat a session: after {@code maxFailures} pieces of open data that
 * cannot be opened under one token the session ends; a watermark older than {@code watermarkMaxAge} (or more than
 * {@code clockSkew} in the future) is refused.
 */
@Validated
@ConfigurationProperties("gateway.open-data")
public record OpenDataProperties(@Min(1) @DefaultValue("5") int maxFailures,
                                 @NotNull @DefaultValue("10m") Duration watermarkMaxAge,
                                 @NotNull @DefaultValue("5m") Duration clockSkew) {

    public static final OpenDataProperties DEFAULTS = new OpenDataProperties(5, Duration.ofMinutes(10), Duration.ofMinutes(5));
}
