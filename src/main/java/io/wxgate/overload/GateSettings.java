package io.wxgate.overload;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How many calls to one WeChat API may be in flight, and how long a request may wait for one.
 * The limit is sized by Little's law from WeChat's observed latency: {@code targetRate} calls a second at that
 * latency need {@code targetRate x latency} calls in flight; the limit stays between {@code minLimit} and
 * {@code maxLimit}, which is also the size of the HTTP connection pool. A request that would wait longer than
 * {@code maxWait} (judged from the queue ahead of it and the recent rate), or finds {@code maxQueue} ahead of it,
 * is refused at once with 503 and {@code Retry-After}.
 */
public record GateSettings(@Min(1) @DefaultValue("16") int minLimit,
                           @Min(1) @DefaultValue("1000") int maxLimit,
                           @Min(1) @DefaultValue("500") int targetRate,
                           @NotNull @DefaultValue("5s") Duration maxWait,
                           @Min(0) @DefaultValue("5000") int maxQueue) {

    public static final GateSettings DEFAULTS = new GateSettings(16, 1000, 500, Duration.ofSeconds(5), 5000);

    public GateSettings {
        if (minLimit > maxLimit) {
            throw new IllegalArgumentException("a gate's min-limit (" + minLimit + ") is above its max-limit (" + maxLimit + ")");
        }
    }
}
