package io.wxgate.sandbox.pay;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the sandbox's WeChat Pay behaves: how long a prepay_id can be paid (2 h at WeChat) and how long it
 * waits for the merchant's answer to one notify before counting the attempt as failed.
 */
@ConfigurationProperties("sandbox.pay")
public record PaySandboxProperties(
        @DefaultValue("2h") Duration prepayTtl,
        @DefaultValue("5s") Duration notifyTimeout) {
}
