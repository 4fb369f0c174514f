package io.wxgate.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxPropertiesTest {

    @Test
    void appSecretsMerchantApiKeysAndTheWeChatPayPrivateKeyNeverShowInToString() {
        SandboxProperties properties = new SandboxProperties(
                List.of(new SandboxProperties.App("wx5ca7b1e1d1b0a001", "app-secret-value")),
                List.of(new SandboxProperties.Merchant("1900000109", "merchantapikey0123456789abcdefgh", "wx5ca7b1e1d1b0a001",
                        "apiv3keyvalue0123456789abcdefghi", null, "5F1C72E2A8931B72A2E13AF8DEE92471EB397115",
                        SandboxProperties.Verification.PUBLIC_KEY)),
                Duration.ofMinutes(5), new SandboxProperties.Notify(1.0, List.of(Duration.ZERO)), List.of(),
                new SandboxProperties.Wechatpay("-----BEGIN PRIVATE KEY-----secretkeytext", "PUB_KEY_ID_0119"));
        assertThat(properties.toString())
                .contains("wx5ca7b1e1d1b0a001", "1900000109")
                .doesNotContain("app-secret-value", "merchantapikey", "apiv3keyvalue", "secretkeytext");
    }
}
