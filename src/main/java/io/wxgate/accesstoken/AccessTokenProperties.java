package io.wxgate.accesstoken;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway keeps the mini-program's access_token: from {@code stable_token} (default) or {@code /cgi-bin/token};
 * renewed {@code refreshAhead} before it expires (WeChat's stable token turns over in its last five minutes, so
 * less than that); one instance at a time holds the refresh lock for at most {@code lockTtl} while the others wait
 * up to {@code waitForOther} for its result; {@code force_refresh} at most {@code forceRefreshPerDay} times a day
 * and {@code forceRefreshSpacing} apart (WeChat: 20, 30 s).
 */
@Validated
@ConfigurationProperties("wechat.access-token")
public record AccessTokenProperties(@NotNull @DefaultValue("STABLE") Source source,
                                    @NotNull @DefaultValue("4m") Duration refreshAhead,
                                    @NotNull @DefaultValue("10s") Duration lockTtl,
                                    @NotNull @DefaultValue("10s") Duration waitForOther,
                                    @NotNull @DefaultValue("50ms") Duration pollInterval,
                                    @Min(0) @Max(20) @DefaultValue("20") int forceRefreshPerDay,
                                    @NotNull @DefaultValue("30s") Duration forceRefreshSpacing) {

    /** Where tokens come from. */
    public enum Source {
        /** {@code POST /cgi-bin/stable_token}: the same token while valid, WeChat's recommendation. */
        STABLE,
        /** {@code GET /cgi-bin/token}: every call a new token, the previous one dies five minutes later. */
        CLASSIC
    }

    public static final AccessTokenProperties DEFAULTS = new AccessTokenProperties(Source.STABLE, Duration.ofMinutes(4),
            Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(50), 20, Duration.ofSeconds(30));
}
