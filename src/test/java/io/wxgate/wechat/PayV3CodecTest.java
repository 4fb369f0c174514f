package io.wxgate.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.testing.PayV3TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The APIv3 codec against itself and against bad input; WeChat's own vectors are in {@code PayV3VectorsTest}. */
class PayV3CodecTest {

    private static final KeyPair WECHAT = PayV3TestKeys.rsa();
    private static final KeyPair MERCHANT = PayV3TestKeys.rsa();
    private static final String PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000";
    private static final String API_V3_KEY = "0123456789abcdef0123456789ABCDEF";
    private static final Instant NOW = Instant.ofEpochSecond(1_764_000_000L);

    private final PayV3Signer wechat = new PayV3Signer(WECHAT.getPrivate());
    private final PayV3Verifier verifier = new PayV3Verifier(PayV3Keyring.of(Map.of(PUB_KEY_ID, WECHAT.getPublic())));

    private PayV3Verifier.SignedHeaders signed(String body, long timestamp) {
        String nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
        String signature = wechat.sign(PayV3Signer.message(Long.toString(timestamp), nonce, body));
        return new PayV3Verifier.SignedHeaders(Long.toString(timestamp), nonce, signature, PUB_KEY_ID);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aReplySignedByWeChatsKeyVerifiesOverItsRawBytes() {
        String body = "{\"prepay_id\":\"wx201410272009395522657a690389285100\",\"note\":\"支付🐼\"}";
        assertThat(verifier.verify(signed(body, NOW.getEpochSecond()), bytes(body), NOW)).isEmpty();
        // a bodyless 204 is signed over an empty last line
        assertThat(verifier.verify(signed("", NOW.getEpochSecond()), new byte[0], NOW)).isEmpty();
    }

    @Test
    void aChangedBodyTimestampOrNonceFailsAsABadSignature() {
        String body = "{\"total\":100}";
        PayV3Verifier.SignedHeaders headers = signed(body, NOW.getEpochSecond());
        assertThat(verifier.verify(headers, bytes("{\"total\":1}"), NOW)).contains(PayV3Verifier.Failure.BAD_SIGNATURE);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(Long.toString(NOW.getEpochSecond() - 1),
                headers.nonce(), headers.signature(), PUB_KEY_ID), bytes(body), NOW))
                .contains(PayV3Verifier.Failure.BAD_SIGNATURE);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(headers.timestamp(), "other",
                headers.signature(), PUB_KEY_ID), bytes(body), NOW)).contains(PayV3Verifier.Failure.BAD_SIGNATURE);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(headers.timestamp(), headers.nonce(),
                "not base64!", PUB_KEY_ID), bytes(body), NOW)).contains(PayV3Verifier.Failure.BAD_SIGNATURE);
    }

    @Test
    void aSignatureByAnotherKeyUnderOurSerialIsRefused() {
        String body = "{}";
        String nonce = "n";
        String forged = new PayV3Signer(MERCHANT.getPrivate()).sign(PayV3Signer.message(
                Long.toString(NOW.getEpochSecond()), nonce, body));
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(Long.toString(NOW.getEpochSecond()), nonce, forged,
                PUB_KEY_ID), bytes(body), NOW)).contains(PayV3Verifier.Failure.BAD_SIGNATURE);
    }

    @Test
    void timestampsFiveMinutesOrMoreAwayAreRefusedEitherWay() {
        String body = "{}";
        long now = NOW.getEpochSecond();
        assertThat(verifier.verify(signed(body, now - 299), bytes(body), NOW)).isEmpty();
        assertThat(verifier.verify(signed(body, now + 299), bytes(body), NOW)).isEmpty();
        assertThat(verifier.verify(signed(body, now - 300), bytes(body), NOW))
                .contains(PayV3Verifier.Failure.STALE_TIMESTAMP);
        assertThat(verifier.verify(signed(body, now + 300), bytes(body), NOW))
                .contains(PayV3Verifier.Failure.STALE_TIMESTAMP);
        PayV3Verifier.SignedHeaders h = signed(body, now);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders("soon", h.nonce(), h.signature(), PUB_KEY_ID),
                bytes(body), NOW)).contains(PayV3Verifier.Failure.STALE_TIMESTAMP);
    }

    @Test
    void unknownSerialsMissingHeadersAndSigntestProbesAreRefused() {
        String body = "{}";
        PayV3Verifier.SignedHeaders h = signed(body, NOW.getEpochSecond());
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(h.timestamp(), h.nonce(), h.signature(),
                "PUB_KEY_ID_OTHER"), bytes(body), NOW)).contains(PayV3Verifier.Failure.UNKNOWN_SERIAL);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(h.timestamp(), null, h.signature(), PUB_KEY_ID),
                bytes(body), NOW)).contains(PayV3Verifier.Failure.MISSING_HEADERS);
        assertThat(verifier.verify(null, bytes(body), NOW)).contains(PayV3Verifier.Failure.MISSING_HEADERS);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders(h.timestamp(), h.nonce(),
                "WECHATPAY/SIGNTEST/" + h.signature(), PUB_KEY_ID), bytes(body), NOW))
                .contains(PayV3Verifier.Failure.PROBE);
    }

    @Test
    void aKeyringOfBothModesFindsEitherSerial() {
        PayV3Keyring both = PayV3Keyring.of(Map.of(PUB_KEY_ID, WECHAT.getPublic()))
                .or(PayV3Keyring.of(Map.of("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", MERCHANT.getPublic())));
        assertThat(both.key(PUB_KEY_ID)).contains(WECHAT.getPublic());
        assertThat(both.key("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")).contains(MERCHANT.getPublic());
        assertThat(both.key("5157f09efdc096de15ebe81a47057a7232f1b8e1")).isEmpty();
        assertThat(both.key(null)).isEmpty();
    }

    @Test
    void gcmRoundTripsAndAnyTamperingIsOneUndecryptable() throws Exception {
        PayV3Cipher cipher = new PayV3Cipher(API_V3_KEY);
        String plain = "{\"out_trade_no\":\"1217752501201407033233368018\",\"note\":\"🐼\"}";
        String sealed = cipher.encrypt("transaction", "fdasflkja484", plain);
        assertThat(cipher.decrypt("transaction", "fdasflkja484", sealed)).isEqualTo(plain);

        byte[] raw = java.util.Base64.getDecoder().decode(sealed);
        raw[raw.length - 1] ^= 1; // the tag
        String badTag = java.util.Base64.getEncoder().encodeToString(raw);
        raw[raw.length - 1] ^= 1;
        raw[0] ^= 1; // the text
        String badText = java.util.Base64.getEncoder().encodeToString(raw);
        PayV3Cipher otherKey = new PayV3Cipher("0123456789abcdef0123456789ABCDEX");
        for (ThrowingDecrypt attempt : new ThrowingDecrypt[] {
                () -> cipher.decrypt("transaction", "fdasflkja484", badTag),
                () -> cipher.decrypt("transaction", "fdasflkja484", badText),
                () -> cipher.decrypt("certificate", "fdasflkja484", sealed),
                () -> cipher.decrypt("transaction", "fdasflkja485", sealed),
                () -> cipher.decrypt("transaction", "fdasflkja484", "%%%"),
                () -> cipher.decrypt("transaction", null, sealed),
                () -> otherKey.decrypt("transaction", "fdasflkja484", sealed)}) {
            assertThatThrownBy(attempt::run).isInstanceOf(PayV3Cipher.Undecryptable.class)
                    .hasMessage("resource cannot be decrypted");
        }
        assertThatThrownBy(() -> new PayV3Cipher("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("short");
        assertThat(cipher.toString()).doesNotContain(API_V3_KEY);
    }

    @FunctionalInterface
    interface ThrowingDecrypt {
        Object run() throws Exception;
    }

    @Test
    void theAuthorizationHeaderParsesAndVerifiesOverMethodPathTimestampNonceAndBody() {
        PayV3Signer merchant = new PayV3Signer(MERCHANT.getPrivate());
        String body = "{\"mchid\":\"1900000001\"}";
        String header = merchant.authorization("1900000001", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "POST",
                "/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close", body, 1554208460L,
                "593BEC0C930BF1AFEB40B4A08C8FB242");
        assertThat(header).startsWith("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\","
                + "timestamp=\"1554208460\",serial_no=\"5157F09EFDC096DE15EBE81A47057A7232F1B8E1\",signature=\"");
        PayV3Authorization auth = PayV3Authorization.parse(header).orElseThrow();
        assertThat(auth.mchid()).isEqualTo("1900000001");
        assertThat(auth.serialNo()).isEqualTo("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
        String path = "/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close";
        assertThat(auth.signs(MERCHANT.getPublic(), "POST", path, body)).isTrue();
        assertThat(auth.signs(MERCHANT.getPublic(), "GET", path, body)).isFalse();
        assertThat(auth.signs(MERCHANT.getPublic(), "POST", path + "?x=1", body)).isFalse();
        assertThat(auth.signs(MERCHANT.getPublic(), "POST", path, body + " ")).isFalse();
        assertThat(auth.signs(WECHAT.getPublic(), "POST", path, body)).isFalse();
    }

    @Test
    void malformedAuthorizationHeadersAreNotParsed() {
        assertThat(PayV3Authorization.parse(null)).isEmpty();
        assertThat(PayV3Authorization.parse("Bearer x")).isEmpty();
        assertThat(PayV3Authorization.parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\"")).isEmpty();
        assertThat(PayV3Authorization.parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"x\","
                + "serial_no=\"s\",signature=\"sig\"")).isEmpty();
        assertThat(PayV3Authorization.parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\";nonce_str=\"n\",timestamp=\"1\","
                + "serial_no=\"s\",signature=\"sig\"")).isEmpty();
        assertThat(PayV3Authorization.parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\","
                + "serial_no=\"s\",signature=\"sig\"")).isPresent();
    }

    @Test
    void paySignIsRsaOverAppIdTimeStampNonceAndPackage() {
        PayV3Signer merchant = new PayV3Signer(MERCHANT.getPrivate());
        String paySign = merchant.paySign("wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
                "prepay_id=wx201410272009395522657a690389285100");
        assertThat(PayV3Verifier.verifies(MERCHANT.getPublic(), "wx8888888888888888\n1414561699\n"
                + "5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n", paySign)).isTrue();
        assertThat(merchant.toString()).doesNotContain(java.util.Base64.getEncoder()
                .encodeToString(MERCHANT.getPrivate().getEncoded()).substring(0, 20));
    }

    @Test
    void pemKeysRoundTripAndTheWrongKindIsRefusedWithoutEchoingIt() {
        String privatePem = PayV3Keys.pem("PRIVATE KEY", MERCHANT.getPrivate().getEncoded());
        String publicPem = PayV3Keys.pem("PUBLIC KEY", MERCHANT.getPublic().getEncoded());
        assertThat(PayV3Keys.privateKey(privatePem)).isEqualTo(MERCHANT.getPrivate());
        assertThat(PayV3Keys.publicKey(publicPem)).isEqualTo(MERCHANT.getPublic());
        assertThatThrownBy(() -> PayV3Keys.privateKey(publicPem)).isInstanceOf(PayV3Keys.BadKey.class)
                .hasMessageContaining("PKCS#8").hasMessageNotContaining(publicPem.substring(30, 60));
        assertThatThrownBy(() -> PayV3Keys.publicKey(privatePem)).isInstanceOf(PayV3Keys.BadKey.class)
                .hasMessageNotContaining(privatePem.substring(30, 60));
        assertThatThrownBy(() -> PayV3Keys.privateKey(privatePem.replace("PRIVATE KEY", "RSA PRIVATE KEY")))
                .isInstanceOf(PayV3Keys.BadKey.class).hasMessageContaining("openssl pkcs8");
        assertThatThrownBy(() -> PayV3Keys.publicKey(null)).isInstanceOf(PayV3Keys.BadKey.class);
        assertThatThrownBy(() -> PayV3Keys.certificate(publicPem)).isInstanceOf(PayV3Keys.BadKey.class);
        assertThat(Optional.of(PayV3Keys.serialText(new java.math.BigInteger("0AB", 16)))).contains("AB");
    }
}
