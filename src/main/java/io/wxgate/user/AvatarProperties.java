package io.wxgate.user;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** The largest avatar accepted, in bytes (MEDIUMBLOB holds up to 16 MiB). */
@Validated
@ConfigurationProperties("gateway.avatar")
public record AvatarProperties(@Min(1024) @Max(16_000_000) @DefaultValue("1048576") int maxBytes) {
}
