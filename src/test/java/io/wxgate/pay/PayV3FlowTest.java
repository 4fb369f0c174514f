package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.notifyCount;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static io.wxgate.pay.PayFixtures.sandboxOrder;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The whole payment through WeChat Pay APIv3 against the sandbox's v3: a gateway on api-version v3, the seed's
 * client flow unchanged, the versioned API's query and close, a missed notify settled by the query, refusal of
 * replies not signed by WeChat Pay and of a wrong merchant key, certificate mode, and orders of the other version
 * still served after a switch.
 */
class PayV3FlowTest extends IntegrationTest {

    private static OwnGateway v3;

    @BeforeAll
    static void startV3Gateway() {
        v3 = start(Map.of());
    }

    @AfterAll
    static void stopV3Gateway() {
        if (v3 != null) {
            v3.close();
        }
    }

    /** A gateway on APIv3, notified at its own v3 path (the shared world's gateway places APIv2 orders). */
    private static OwnGateway start(Map<String, Object> overrides) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("wechat.pay.api-version", "v3");
        settings.putAll(overrides);
        return OwnGateway.start(settings);
    }

    @AfterEach
    void noFaults() {
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }


    @SuppressWarnings("unchecked")
    private static Map<String, Object> create(WebTestClient gateway, String token, long fen) {
        return gateway.post().uri("/api/v1/pay/orders").header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", UUID.randomUUID().toString()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("total_fee", fen)).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> view(WebTestClient gateway, String token, String outTradeNo) {
        return gateway.get().uri("/api/v1/pay/orders/{no}", outTradeNo).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    private static void payOnThePhone(Object payment) {
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(payment)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSeedClientPaysThroughApiV3Unchanged() {
        WebTestClient gateway = v3.client();
        String token = login(gateway, sandbox());
        Map<String, Object> reply = gateway.post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("money", 1, "token", token))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(reply.get("code")).isEqualTo(0);
        Map<String, Object> data = (Map<String, Object>) reply.get("data");
        assertThat(data).containsOnlyKeys("timeStamp", "nonceStr", "package", "signType", "paySign");
        assertThat(data.get("signType")).isEqualTo("RSA");
        // paySign: the merchant's key over appId, timeStamp, nonceStr, package
        assertThat(PayV3Verifier.verifies(PayV3TestKeys.MERCHANT.getPublic(), PayV3Signer.message(TestWorld.APPID,
                (String) data.get("timeStamp"), (String) data.get("nonceStr"), (String) data.get("package")),
                (String) data.get("paySign"))).isTrue();
        String outTradeNo = PayFixtures.outTradeNoByPrepayId(((String) data.get("package")).substring("prepay_id=".length()));
        assertThat(orderColumn(outTradeNo, "sign_type")).isEqualTo("RSA");

        // the phone pays with the five parameters, unchanged; the sandbox's v3 notify reaches the gateway
        payOnThePhone(data);
        await(Duration.ofSeconds(15), "the sandbox's v3 notify to be acknowledged",
                () -> Boolean.TRUE.equals(sandboxOrder(sandbox(), outTradeNo).get("notifyAcknowledged")));
        assertThat(orderColumn(outTradeNo, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(outTradeNo, "transaction_id")).isEqualTo(sandboxOrder(sandbox(), outTradeNo).get("transactionId"));
        assertThat(notifyCount(outTradeNo, "APPLIED")).isEqualTo(1);
    }

    @Test
    void aPaymentWhoseNotifyNeverCameIsLearnedFromTheQuery() {
        WebTestClient gateway = v3.client();
        String token = login(gateway, sandbox());
        Map<String, Object> order = create(gateway, token, 7);
        String no = (String) order.get("out_trade_no");
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        payOnThePhone(order.get("payment"));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");

        Map<String, Object> viewed = view(gateway, token, no);
        assertThat(viewed.get("trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(sandboxOrder(sandbox(), no).get("transactionId"));
        assertThat(orderColumn(no, "time_end")).matches("20[0-9]{12}");
    }

    @Test
    void anOrderOlderThanFiveMinutesIsClosedAtWeChatThenHere() {
        WebTestClient gateway = v3.client();
        String token = login(gateway, sandbox());
        String no = (String) create(gateway, token, 8).get("out_trade_no");
        PayFixtures.placedMinutesAgo(no, 6);
        gateway.post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.trade_state").isEqualTo("CLOSED");
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("CLOSED");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("CLOSED");
    }

    @Test
    void aReplayAfterTheOrdersTimeExpireClosesItAndAsksForANewOrder() {
        WebTestClient gateway = v3.client();
        String token = login(gateway, sandbox());
        String key = UUID.randomUUID().toString();
        String no = (String) PayFixtures.createOrder(gateway, token, key, 13).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody().get("out_trade_no");
        // placed 118 minutes ago: its time_expire (2 h) is within the 5-minute reuse margin, and its prepay is gone
        PayFixtures.placedMinutesAgo(no, 118);
        PayFixtures.expirePrepay(no);
        PayFixtures.createOrder(gateway, token, key, 13).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.code").isEqualTo("order_closed");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("CLOSED");
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("CLOSED");
    }

    @Test
    void repliesNotSignedByWeChatPayAreNotBelieved() {
        // the gateway trusts another key under WeChat Pay's id: every reply's signature fails
        String wrongKey = PayV3Keys.pem("PUBLIC KEY", PayV3TestKeys.MERCHANT.getPublic().getEncoded());
        try (OwnGateway gateway = start(Map.of("wechat.pay.v3.public-key", wrongKey))) {
            String token = login(gateway.client(), sandbox());
            gateway.client().post().uri("/api/v1/pay/orders").header("Authorization", "Bearer " + token)
                    .header("Idempotency-Key", UUID.randomUUID().toString()).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("total_fee", 9)).exchange()
                    .expectStatus().isEqualTo(502)
                    .expectBody().jsonPath("$.code").isEqualTo("wechat_pay_bad_reply");
        }
    }

    @Test
    void aWrongMerchantKeyIsWeChatsSignError() {
        String otherKey = PayV3Keys.pem("PRIVATE KEY", PayV3TestKeys.rsa().getPrivate().getEncoded());
        try (OwnGateway gateway = start(Map.of("wechat.pay.v3.private-key", otherKey))) {
            String token = login(gateway.client(), sandbox());
            gateway.client().post().uri("/api/v1/pay/orders").header("Authorization", "Bearer " + token)
                    .header("Idempotency-Key", UUID.randomUUID().toString()).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("total_fee", 10)).exchange()
                    .expectStatus().isEqualTo(502)
                    .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("signature"));
        }
    }

    @Test
    void certificateModeDownloadsThePlatformCertificatesAndPays() {
        try (OwnGateway gateway = start(Map.of("wechat.pay.mch-id", TestWorld.CERTIFICATE_MCH_ID,
                "wechat.pay.v3.verification", "CERTIFICATE", "wechat.pay.v3.public-key-id", "",
                "wechat.pay.v3.public-key", ""))) {
            await(Duration.ofSeconds(10), "the platform certificates to be downloaded",
                    () -> !gateway.bean(PlatformCertificates.class).newestSerial().isEmpty());
            String token = login(gateway.client(), sandbox());
            Map<String, Object> order = create(gateway.client(), token, 11);
            String no = (String) order.get("out_trade_no");
            payOnThePhone(order.get("payment"));
            await(Duration.ofSeconds(15), "the certificate-mode order to be paid",
                    () -> "SUCCESS".equals(orderColumn(no, "trade_state")));
            assertThat(view(gateway.client(), token, no).get("trade_state")).isEqualTo("SUCCESS");
        }
    }

    @Test
    void ordersOfTheOtherVersionAreStillServedAfterASwitch() {
        // an APIv2 order placed by the shared (v2) gateway, then paid without a notify, is settled by the v3 gateway
        String token = login(gateway(), sandbox());
        Map<String, Object> order = create(gateway(), token, 12);
        String no = (String) order.get("out_trade_no");
        assertThat(orderColumn(no, "sign_type")).isEqualTo("MD5");
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        payOnThePhone(order.get("payment"));
        assertThat(view(v3.client(), token, no).get("trade_state")).isEqualTo("SUCCESS");
    }
}
