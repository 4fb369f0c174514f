package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.testing.PayV3TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayV3CredentialsTest {

    private static PayProperties.V3 v3(String serial, String key, String keyFile, String apiV3Key, String apiV3KeyFile,
                                       PayProperties.Verification verification, String keyId, String publicKey) {
        return new PayProperties.V3(serial, key, keyFile, apiV3Key, apiV3KeyFile, verification, keyId, publicKey, null,
                Duration.ofHours(12));
    }

    @Test
    void secretsLoadFromMountedFilesAndNeverShowInToString(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("apiclient_key.pem"), PayV3TestKeys.merchantPrivateKeyPem());
        Path apiV3Key = Files.writeString(dir.resolve("api_v3_key"), PayV3TestKeys.API_V3_KEY + "\n");
        PayV3Credentials credentials = PayV3Credentials.load("1900000109", v3(PayV3TestKeys.MERCHANT_SERIAL_NO, null,
                key.toString(), null, apiV3Key.toString(), PayProperties.Verification.PUBLIC_KEY,
                PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID, PayV3TestKeys.wechatpayPublicKeyPem()));
        assertThat(credentials.publicKey()).contains(PayV3TestKeys.WECHATPAY.getPublic());
        assertThat(credentials.publicKeyId()).contains(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        // the cipher works with the key read from the file (its trailing newline stripped)
        assertThat(credentials.cipher().encrypt("a", "123456789012", "x")).isNotEmpty();
        assertThat(credentials.toString()).doesNotContain(PayV3TestKeys.API_V3_KEY).doesNotContain("PRIVATE");
    }

    @Test
    void everyMissingOrMalformedSettingIsNamedAtOnceWithoutItsContent() {
        String notAKey = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IG1hdGVyaWFs\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PayV3Credentials.load("1900000109", v3("not hex!", notAKey, null, "short", null,
                PayProperties.Verification.PUBLIC_KEY, "KEY_1", null)))
                .isInstanceOf(PayV3Credentials.Invalid.class)
                .hasMessageContaining("WXGATE_PAY_MERCHANT_SERIAL_NO")
                .hasMessageContaining("WXGATE_PAY_PRIVATE_KEY")
                .hasMessageContaining("32 bytes")
                .hasMessageContaining("WXGATE_PAY_PUBLIC_KEY_ID")
                .hasMessageContaining("WXGATE_PAY_PUBLIC_KEY_FILE or WXGATE_PAY_PUBLIC_KEY")
                .hasMessageNotContaining("c2VjcmV0IG1hdGVyaWFs")
                .hasMessageNotContaining("short");
    }

    @Test
    void aSecretGivenTwiceOrAsAnUnreadableFileIsRefused() {
        assertThatThrownBy(() -> PayV3Credentials.load("1900000109", v3(PayV3TestKeys.MERCHANT_SERIAL_NO,
                PayV3TestKeys.merchantPrivateKeyPem(), "/also/a/file.pem", null, "/no/such/file",
                PayProperties.Verification.CERTIFICATE, null, null)))
                .isInstanceOf(PayV3Credentials.Invalid.class)
                .hasMessageContaining("give one, not both")
                .hasMessageContaining("cannot read /no/such/file");
    }

    @Test
    void certificateModeNeedsNoPublicKey() {
        PayV3Credentials credentials = PayV3Credentials.load("1900000109", v3(PayV3TestKeys.MERCHANT_SERIAL_NO,
                PayV3TestKeys.merchantPrivateKeyPem(), null, PayV3TestKeys.API_V3_KEY, null,
                PayProperties.Verification.CERTIFICATE, null, null));
        assertThat(credentials.publicKey()).isEmpty();
        assertThat(credentials.verification()).isEqualTo(PayProperties.Verification.CERTIFICATE);
    }
}
