package io.wxgate.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * wxgate's APIv3 codec against the official SDK's published test vectors (wechatpay-java 0.2.17,
 * core/src/test: AeadAesCipherTest, RSAVerifierTest, TestConfig's certificate download), and against vectors
 * computed by an independent implementation (Python {@code cryptography}) from the SDK's public test keys. Only
 * public material is kept here: certificates, a public key and the SDK's published test APIv3 key; no private key.
 */
class PayV3VectorsTest {

    private static final String SDK_API_V3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    private static final String SDK_WECHATPAY_SERIAL = "440024045C4A427599D09BB4E3DE0279F2E813FD";

    private static String resource(String name) {
        try (InputStream in = PayV3VectorsTest.class.getResourceAsStream("/wechatpay-java/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void gcmMatchesTheSdksAeadAesCipherTest() throws Exception {
        PayV3Cipher cipher = new PayV3Cipher(SDK_API_V3_KEY);
        String sealed = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=";
        assertThat(cipher.encrypt("associatedData", "uluk4a9R25RW", "message")).isEqualTo(sealed);
        assertThat(cipher.decrypt("associatedData", "uluk4a9R25RW", sealed)).isEqualTo("message");
        assertThatThrownBy(() -> cipher.decrypt("bad-associatedData", "uluk4a9R25RW", sealed))
                .isInstanceOf(PayV3Cipher.Undecryptable.class);
        assertThatThrownBy(() -> cipher.decrypt("associatedData", "bad-4a9R25RW", sealed))
                .isInstanceOf(PayV3Cipher.Undecryptable.class);
        assertThatThrownBy(() -> cipher.decrypt("associatedData", "uluk4a9R25RW",
                Base64.getEncoder().encodeToString(new byte[128]))).isInstanceOf(PayV3Cipher.Undecryptable.class);
    }

    @Test
    void theSdksFixedRsaSignatureVerifiesWithTheMerchantCertificateOnly() {
        X509Certificate merchant = PayV3Keys.certificate(resource("merchant_certificate.pem"));
        PublicKey wechatpay = PayV3Keys.publicKey(resource("wechat_pay_public_key.pem"));
        String signature = "Rq+5ZpWV6IHTWE1+9gCrYJKguNgbItpMdlIA+PVCPCdUAKNlohZz7CL7Y8xWDIFJjdGnErMj6Z+Q/h9CF5MV+nAVkqDmBR0uP5ppsUEzco4ijvKHsvI2ro4boSW6vSfQs3W8I4QSI9a0/NFIgvj83Fv27LIYZf7deaFWmEwd1fpAeJRCyoKyBeJPdsjVx0//Lqe6Wze2zVdliLcBvaHCfpd8+rAVGS+FQDeWgHqJ7n/Zy09LmV1/ghs7pO1mdjdD16SHKlysAD3K5hNGUJX/SHrEXEcu1yO1AOb/YvOVkjNh8243rcfXNE5L4ph2XS11vS+2aToKYSOcKUagf0LLaw==";
        assertThat(PayV3Verifier.verifies(merchant.getPublicKey(), "message", signature)).isTrue();
        assertThat(PayV3Verifier.verifies(merchant.getPublicKey(), "message!", signature)).isFalse();
        // RSAVerifierTest.testPublicKeyVerify: the same signature under WeChat Pay's public key is false
        assertThat(PayV3Verifier.verifies(wechatpay, "message", signature)).isFalse();
    }

    @Test
    void certificateSerialsAreUpperCaseHexAsTheSdkWritesThem() {
        assertThat(PayV3Keys.serialOf(PayV3Keys.certificate(resource("merchant_certificate.pem"))))
                .isEqualTo("5F1C72E2A8931B72A2E13AF8DEE92471EB397115");
        X509Certificate wechatpay = PayV3Keys.certificate(resource("wechat_pay_certificate.pem"));
        assertThat(PayV3Keys.serialOf(wechatpay)).isEqualTo(SDK_WECHATPAY_SERIAL);
        assertThat(wechatpay.getPublicKey()).isEqualTo(PayV3Keys.publicKey(resource("wechat_pay_public_key.pem")));
    }

    @Test
    void theSdksCertificateDownloadDecryptsToTheCertificateItNames() throws Exception {
        JsonNode data = JsonMapper.builder().build().readTree(resource("download_certificate_response.json"))
                .get("data").get(0);
        JsonNode sealed = data.get("encrypt_certificate");
        String pem = new PayV3Cipher(SDK_API_V3_KEY).decrypt(sealed.get("associated_data").asString(),
                sealed.get("nonce").asString(), sealed.get("ciphertext").asString());
        X509Certificate certificate = PayV3Keys.certificate(pem);
        assertThat(PayV3Keys.serialOf(certificate)).isEqualTo(data.get("serial_no").asString())
                .isEqualTo("5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC");
        assertThat(certificate.getSubjectX500Principal().getName()).contains("Tenpay.com");
    }

    @Test
    void replySignaturesFromAnIndependentImplementationVerify() {
        PayV3Verifier verifier = new PayV3Verifier(PayV3Keyring.of(Map.of(SDK_WECHATPAY_SERIAL,
                PayV3Keys.publicKey(resource("wechat_pay_public_key.pem")))));
        Instant at = Instant.ofEpochSecond(1_700_000_000L);
        byte[] body = "{\"prepay_id\":\"wx201410272009395522657a690389285100\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders("1700000000", "NONCE123",
                "c1WLPqHVM4TC84yCi/NPF67hskv5x2AiBAna6EOHV4jY7fhWSj61Lfa1NCY86iak4eCLtnfC8bqHmdq6AjfF6eW1OxcrVj07GfxmsMCZjoWPlAt9Tl51kOQ94d2ixF/jyFaZD+XqAG72jc88BbEVFC7E7xZVIoorxcaSHPl9BQ9zGRbp/Xx/FLWCIVtM6Iu212qDPi/UR4CJMSeqeRc+WD39GEaJ6oPaj77ifyYs2GI6SYdVU2YehQP4kMwXrZVuz9Paw56jWM7mciKk4hWo9k7TI4qOCtVbBjbnCEmq+/Vo1lYF67mSfu6HzBW2ZwS6LAgyVwjtGuzXzK5oF+42EA==", SDK_WECHATPAY_SERIAL), body, at)).isEmpty();
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders("1700000000", "NONCE123",
                "JM0WWa77DeG20KTJwWyDxBPO7+tFRhMg6tB/t9Qj121H7gUNqjt30KgqCXykHNCItAjBTHMZtUmRRgE0yem0jiFB7A/EsmiW8oyvRU21/ukRG25ubCAjcqYQe0bCdWI6LnEcLw0lWeRTKk0Xz2W2pE4XwoP2nZwSv903cccJne8usk0lJXhXsc35uwIN8mWn5SCq2KDWSP7+7HgJ8kkoC3ZrBt7zzrQ5EewlLlwZnhu9LIQrIZ7+TtbzVIAGn5iXIgOJRE7VtNegu56uViI3LlNSqTFgqFaEV2skRP8XXX8TtgyZGJJez6RsaB+ZfYq9queKreGXhM1ygqICHjrExw==", SDK_WECHATPAY_SERIAL), new byte[0], at)).isEmpty();
        assertThat(verifier.verify(new PayV3Verifier.SignedHeaders("1700000000", "NONCE123",
                "JM0WWa77DeG20KTJwWyDxBPO7+tFRhMg6tB/t9Qj121H7gUNqjt30KgqCXykHNCItAjBTHMZtUmRRgE0yem0jiFB7A/EsmiW8oyvRU21/ukRG25ubCAjcqYQe0bCdWI6LnEcLw0lWeRTKk0Xz2W2pE4XwoP2nZwSv903cccJne8usk0lJXhXsc35uwIN8mWn5SCq2KDWSP7+7HgJ8kkoC3ZrBt7zzrQ5EewlLlwZnhu9LIQrIZ7+TtbzVIAGn5iXIgOJRE7VtNegu56uViI3LlNSqTFgqFaEV2skRP8XXX8TtgyZGJJez6RsaB+ZfYq9queKreGXhM1ygqICHjrExw==", SDK_WECHATPAY_SERIAL), body, at)).contains(PayV3Verifier.Failure.BAD_SIGNATURE);
    }

    @Test
    void aNotifyResourceEncryptedByAnIndependentImplementationDecryptsToItsTransaction() throws Exception {
        String plaintext = new PayV3Cipher(SDK_API_V3_KEY).decrypt("transaction", "fdasflkja484",
                "Y/YIblHbjBvKj2LLVZ+5FPsL7wYsuIHt0efXUqJfTf0leR4WCDpE9laXeapzGLsbwhCU90ZRIDRRP3k0Q8C6+HrJ5ZqAGEThUxgB2mNqM5+viIC6TmVPf78LoJBXpi3Kp3HjLkihXmFC5UaVeaaHNuuRHkSmftT9CMoL36YHEMQetZNKACIlPGofNvkECexzcXKJF/Rejb+7fBXQdL381w9mqaSqFTBg9A9yVS5fYPZfuPTljhPQ+N+7blYKRMRM8fbvQSo231Rk5BdB1bjllcMDiJgKCrECBkA4bUG8mqgjOL/XQ7RQTua1aaBMbv24we3Vj0Sqkb4Ls4KZ8oCYFH4OL3wzD8gM4M4nQkXSfViF4lSe1SQlRnxJZu1fVBiV3SDFuijt2vNHQG8PVPkfVozY+HrUsY/b1iLtsqhH2OvIZ6vG28YJO60FGegqPaEODzRK2hHYIsgNV/y/8ScWw4cTDxlcgo5nT61y5wPMTC/Svw+8b7ZovbDCN9t0KlZtw72IIfilYIY+gU0UfBOklVRDTgS8+RmqERMEhpfVnJkB/V2GE9OaYba3CMhx");
        PayV3Transaction transaction = JsonMapper.builder().build().readValue(plaintext, PayV3Transaction.class);
        assertThat(transaction.outTradeNo()).isEqualTo("ORDER_0001");
        assertThat(transaction.tradeState()).isEqualTo("SUCCESS");
        assertThat(transaction.tradeStateDesc()).isEqualTo("支付成功");
        assertThat(transaction.amount().total()).isEqualTo(100L);
        assertThat(transaction.payer().openid()).isEqualTo("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        assertThat(transaction.successTime()).isEqualTo("2024-01-01T12:00:00+08:00");
    }
}
