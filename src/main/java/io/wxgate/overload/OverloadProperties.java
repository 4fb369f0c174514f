package io.wxgate.overload;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Admission of requests into the gateway itself ({@code gateway.overload}). The number of requests doing local
 * work (a request waiting on WeChat does not count) follows how late the event loops run: while a scheduled probe
 * runs later than {@code targetLag} the limit shrinks, while the loops keep up and requests wait it grows, always
 * between {@code minLimit} and {@code maxLimit}. Requests beyond it wait up to {@code maxWait} (logins behind the
 * rest); one that would wait longer is refused at once with 503 and {@code Retry-After}.
 */
@Validated
@ConfigurationProperties("gateway.overload")
public record OverloadProperties(@DefaultValue("true") boolean enabled,
                                 @NotNull @DefaultValue("25ms") Duration targetLag,
                                 @NotNull @DefaultValue("50ms") Duration probeInterval,
                                 @Min(1) @DefaultValue("64") int initialLimit,
                                 @Min(1) @DefaultValue("16") int minLimit,
                                 @Min(1) @DefaultValue("128") int maxLimit,
                                 @NotNull @DefaultValue("5s") Duration maxWait,
                                 @Min(0) @DefaultValue("20000") int maxQueue) {

    GateSettings gate() {
        return new GateSettings(minLimit, maxLimit, 1, maxWait, maxQueue);
    }
}
