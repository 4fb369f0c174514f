package io.wxgate.sandbox.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.sandbox.SandboxApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PayV3Keyring;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sandbox's own WeChat Pay key when none is configured, and a half-configured APIv3 merchant refused at startup. */
class SandboxPayV3KeysTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void withoutAConfiguredKeyTheSandboxMakesOneAndShowsItsPublicHalfForTheMerchantsSettings() throws Exception {
        int port = EmbeddedServers.freePort();
        Map<String, Object> properties = TestWorld.sandboxProperties(port, EmbeddedServers.freePort());
        properties.remove("sandbox.wechatpay.private-key");
        properties.remove("sandbox.wechatpay.public-key-id");
        try (ConfigurableApplicationContext sandbox = SandboxApplication.start(properties)) {
            String base = "http://127.0.0.1:" + port;
            JsonNode keys = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sandbox/pay/v3/keys")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String publicKeyId = keys.get("publicKeyId").asString();
            PublicKey publicKey = PayV3Keys.publicKey(keys.get("publicKey").asString());
            assertThat(publicKeyId).matches("PUB_KEY_ID_\\d{32}");
            assertThat(publicKey).isNotEqualTo(PayV3TestKeys.WECHATPAY.getPublic());
            assertThat(PayV3Keys.certificate(keys.get("certificate").asString()).getPublicKey()).isEqualTo(publicKey);

            String path = "/v3/pay/transactions/out-trade-no/NONE1?mchid=" + TestWorld.MCH_ID;
            HttpResponse<byte[]> reply = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", new PayV3Signer(PayV3TestKeys.MERCHANT.getPrivate()).authorization(
                            TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "GET", path, "",
                            Instant.now().getEpochSecond(), "n0nce")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(reply.statusCode()).isEqualTo(404);
            PayV3Verifier.SignedHeaders signed = new PayV3Verifier.SignedHeaders(
                    reply.headers().firstValue("Wechatpay-Timestamp").orElse(null),
                    reply.headers().firstValue("Wechatpay-Nonce").orElse(null),
                    reply.headers().firstValue("Wechatpay-Signature").orElse(null),
                    reply.headers().firstValue("Wechatpay-Serial").orElse(null));
            assertThat(new PayV3Verifier(PayV3Keyring.of(Map.of(publicKeyId, publicKey)))
                    .verify(signed, reply.body(), Instant.now())).isEmpty();
        }
    }

    @Test
    void anApiV3MerchantWithoutItsSerialIsRefusedAtStartup() {
        Map<String, Object> properties = TestWorld.sandboxProperties(EmbeddedServers.freePort(), EmbeddedServers.freePort());
        properties.remove("sandbox.merchants[0].merchant-serial-no");

        assertThatThrownBy(() -> SandboxApplication.start(properties).close())
                .rootCause().hasMessageContaining("mch-id " + TestWorld.MCH_ID)
                .hasMessageContaining("merchant-serial-no");
    }
}
