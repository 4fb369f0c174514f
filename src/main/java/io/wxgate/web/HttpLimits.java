package io.wxgate.web;

import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP-level limits and trust: the largest request body accepted, and which peers may set
 * {@code X-Forwarded-For} (exact IP addresses of the load balancers in front of the gateway).
 */
@Validated
@ConfigurationProperties("gateway.http")
public record HttpLimits(@DefaultValue("65536") @Min(1024) int maxBodyBytes,
                         @DefaultValue List<String> trustedProxies) {
}
