package io.wxgate.web;

import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP-level limits and trust: the largest request body accepted, which peers may set {@code X-Forwarded-For}
 * (exact IP addresses of the load balancers in front of the gateway), and how many new connections may wait to be
 * accepted (the listening socket's backlog, capped by the kernel's {@code net.core.somaxconn}): a burst of phones
 * connecting at once waits there instead of being refused.
 */
@Validated
@ConfigurationProperties("gateway.http")
public record HttpLimits(@DefaultValue("65536") @Min(1024) int maxBodyBytes,
                         @DefaultValue List<String> trustedProxies,
                         @DefaultValue("4096") @Min(1) int acceptBacklog) {
}
