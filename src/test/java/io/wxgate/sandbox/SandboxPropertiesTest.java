package io.wxgate.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxPropertiesTest {

    @Test
    void appSecretsAndMerchantApiKeysNeverShowInToString() {
        SandboxProperties properties = new SandboxProperties(
                List.of(new SandboxProperties.App("wx5ca7b1e1d1b0a001", "app-secret-value")),
                List.of(new SandboxProperties.Merchant("1900000109", "merchantapikey0123456789abcdefgh", "wx5ca7b1e1d1b0a001")),
                Duration.ofMinutes(5), new SandboxProperties.Notify(1.0, List.of(Duration.ZERO)), List.of());
        assertThat(properties.toString())
                .contains("wx5ca7b1e1d1b0a001", "1900000109")
                .doesNotContain("app-secret-value", "merchantapikey");
    }
}
