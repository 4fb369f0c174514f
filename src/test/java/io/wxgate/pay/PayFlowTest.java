package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.createOrder;
import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.newOrder;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static io.wxgate.pay.PayFixtures.sandboxOrder;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.SignType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

class PayFlowTest extends IntegrationTest {

    @AfterEach
    void noFaults() {
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }


    @Test
    @SuppressWarnings("unchecked")
    void seedClientLogsInPaysOnThePhoneAndTheNotifyMarksTheOrderPaid() {
        String token = login(gateway(), sandbox());

        // exactly what the seed's mini-program sends: {"money": 1, "token": ...}
        Map<String, Object> reply = gateway().post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("money", 1, "token", token))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(reply.get("code")).isEqualTo(0);
        Map<String, Object> data = (Map<String, Object>) reply.get("data");
        assertThat(data).containsOnlyKeys("timeStamp", "nonceStr", "package", "signType", "paySign");
        assertThat((String) data.get("package")).startsWith("prepay_id=");
        assertThat(data.get("signType")).isEqualTo("MD5");
        // the paySign is WeChat's second signature over the five fields with the merchant's key
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("appId", TestWorld.APPID);
        for (String k : List.of("timeStamp", "nonceStr", "package", "signType")) {
            signed.put(k, (String) data.get(k));
        }
        assertThat(new PaySigner(TestWorld.API_KEY).sign(signed, SignType.MD5)).isEqualTo(data.get("paySign"));

        String outTradeNo = PayFixtures.outTradeNoByPrepayId(((String) data.get("package")).substring("prepay_id=".length()));
        assertThat(outTradeNo).hasSize(32).matches("[A-Za-z0-9]+");
        assertThat(orderColumn(outTradeNo, "trade_state")).isEqualTo("NOTPAY");
        assertThat(orderColumn(outTradeNo, "spbill_create_ip")).isEqualTo("127.0.0.1");

        // the phone's wx.requestPayment with the five parameters, unchanged
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(data)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");

        // the sandbox's notify reaches the gateway and is acknowledged; only then ask the gateway
        await(Duration.ofSeconds(15), "the sandbox's notify to be acknowledged",
                () -> Boolean.TRUE.equals(sandboxOrder(sandbox(), outTradeNo).get("notifyAcknowledged")));
        Map<String, Object> order = gateway().get().uri("/api/v1/pay/orders/{no}", outTradeNo)
                .header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(order.get("trade_state")).isEqualTo("SUCCESS");
        assertThat(order.get("total_fee")).isEqualTo(1);
        assertThat(order.get("transaction_id")).isEqualTo(sandboxOrder(sandbox(), outTradeNo).get("transactionId"));
        assertThat(PayFixtures.notifyCount(outTradeNo, "APPLIED")).isEqualTo(1);
    }

    @Test
    void seedPayWithAnUnknownTokenAnswersExactlyAsTheSeed() {
        gateway().post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("money", 1, "token", "A".repeat(43)))
                .exchange().expectStatus().isOk()
                .expectBody().json("{\"code\":2,\"msg\":\"token无效\"}", JsonCompareMode.STRICT);
    }

    @Test
    void seedPayWithoutMoneyOrTokenOrBodyAnswersExactlyAsTheSeed() {
        for (Object body : List.of(Map.of("token", "A".repeat(43)), Map.of("money", 1), Map.of())) {
            gateway().post().uri("/pay/").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                    .exchange().expectStatus().isOk()
                    .expectBody().json("{\"code\":1,\"msg\":\"缺少参数\"}", JsonCompareMode.STRICT);
        }
        gateway().post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                .exchange().expectStatus().isOk()
                .expectBody().json("{\"code\":1,\"msg\":\"缺少参数\"}", JsonCompareMode.STRICT);
    }

    @Test
    void amountsThatAreNotPositiveWholeFenWithinTheLimitAreRefusedWithoutAnOrder() {
        String token = login(gateway(), sandbox());
        for (Object bad : List.of(0, -1, 1.5, 1.0, "1", true, 1_000_001, Map.of("fen", 1))) {
            String key = UUID.randomUUID().toString();
            createOrder(gateway(), token, key, bad)
                    .expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.code").isEqualTo("invalid_amount");
            assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE idempotency_key = ?", key)).isZero();
        }
        gateway().post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("money", 0.01, "token", token))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSameIdempotencyKeyReturnsTheSameOrderAndParamsWithoutAskingWeChatAgain() {
        String token = login(gateway(), sandbox());
        String key = UUID.randomUUID().toString();
        Map<String, Object> first = createOrder(gateway(), token, key, 100).expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "false")
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(first.get("trade_state")).isEqualTo("NOTPAY");
        assertThat(first.get("total_fee")).isEqualTo(100);
        assertThat((Map<String, Object>) first.get("payment")).containsOnlyKeys("timeStamp", "nonceStr", "package",
                "signType", "paySign");

        // with WeChat answering SYSTEMERROR to everything, a second unifiedorder call could not succeed
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("systemErrorRate", 1.0)).exchange().expectStatus().isOk();
        Map<String, Object> second = createOrder(gateway(), token, key, 100).expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(Map.class).returnResult().getResponseBody();

        assertThat(second.get("out_trade_no")).isEqualTo(first.get("out_trade_no"));
        assertThat(second.get("payment")).isEqualTo(first.get("payment"));
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE idempotency_key = ?", key)).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPrepayIdAboutToExpireIsRenewedForTheSameOrderOnReplay() {
        String token = login(gateway(), sandbox());
        String key = UUID.randomUUID().toString();
        Map<String, Object> first = createOrder(gateway(), token, key, 15).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        String no = (String) first.get("out_trade_no");
        PayFixtures.prepayExpiresIn(no, 60);

        Map<String, Object> second = createOrder(gateway(), token, key, 15).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(second.get("out_trade_no")).isEqualTo(no);
        Map<String, Object> payment = (Map<String, Object>) second.get("payment");
        assertThat(payment.get("nonceStr")).isNotEqualTo(((Map<String, Object>) first.get("payment")).get("nonceStr"));
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE out_trade_no = ? "
                + "AND prepay_expires_at > UTC_TIMESTAMP() + INTERVAL 1 HOUR", no)).isEqualTo(1);
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(payment)
                .exchange().expectStatus().isOk();
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyEndInOneOrder() {
        String token = login(gateway(), sandbox());
        String key = UUID.randomUUID().toString();
        WebClient client = WebClient.create(world().gatewayUrl());
        List<Map<String, Object>> replies = Flux.range(0, 12)
                .flatMap(i -> client.post().uri("/api/v1/pay/orders")
                        .header("Authorization", "Bearer " + token).header("Idempotency-Key", key)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("total_fee", 7))
                        .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() { }), 12)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(replies).hasSize(12);
        Set<Object> numbers = replies.stream().map(r -> r.get("out_trade_no")).collect(Collectors.toSet());
        Set<Object> payments = replies.stream().map(r -> r.get("payment")).collect(Collectors.toSet());
        assertThat(numbers).hasSize(1);
        assertThat(payments).hasSize(1);
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE idempotency_key = ?", key)).isEqualTo(1);
    }

    @Test
    void reusingAnIdempotencyKeyForAnotherAmountIsRefused() {
        String token = login(gateway(), sandbox());
        String key = UUID.randomUUID().toString();
        createOrder(gateway(), token, key, 5).expectStatus().isCreated();
        createOrder(gateway(), token, key, 6).expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("idempotency_key_reused");
    }

    @Test
    void theVersionedApiWantsABearerTokenAndAnIdempotencyKey() {
        String token = login(gateway(), sandbox());
        gateway().post().uri("/api/v1/pay/orders").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "k1").bodyValue(Map.of("total_fee", 1))
                .exchange().expectStatus().isUnauthorized();
        gateway().post().uri("/api/v1/pay/orders").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(Map.of("total_fee", 1))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("Idempotency-Key"));
    }

    @Test
    void anotherUsersOrderIsNotFound() {
        String alice = login(gateway(), sandbox());
        String bob = login(gateway(), sandbox());
        String no = (String) newOrder(gateway(), alice, 3).get("out_trade_no");
        gateway().get().uri("/api/v1/pay/orders/{no}", no).header("Authorization", "Bearer " + bob)
                .exchange().expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("order_not_found");
        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + bob)
                .exchange().expectStatus().isNotFound();
        gateway().get().uri("/api/v1/pay/orders/{no}", no).header("Authorization", "Bearer " + alice)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.trade_state").isEqualTo("NOTPAY");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aClosedOrderIsClosedAtWeChatTooAndCannotBePaid() {
        String token = login(gateway(), sandbox());
        Map<String, Object> order = newOrder(gateway(), token, 9);
        String no = (String) order.get("out_trade_no");
        // WeChat Pay closes an order only 5 minutes after it was placed: not before
        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.code").isEqualTo("order_too_young_to_close");
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("NOTPAY");
        PayFixtures.placedMinutesAgo(no, 6);

        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.trade_state").isEqualTo("CLOSED");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("CLOSED");
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("CLOSED");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isEqualTo(409);
        // closing again is harmless
        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk();
    }

    @Test
    void aPaidOrderWhoseNotifyWasLostIsSettledByAskingWeChat() {
        String token = login(gateway(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        Map<String, Object> order = newOrder(gateway(), token, 11);
        String no = (String) order.get("out_trade_no");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");

        gateway().get().uri("/api/v1/pay/orders/{no}", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.trade_state").isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(sandboxOrder(sandbox(), no).get("transactionId"));
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no)).isZero();

        // a paid order can no longer be closed
        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isEqualTo(409).expectBody().jsonPath("$.code").isEqualTo("order_paid");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
    }

    @Test
    void closingAnOrderThatWasPaidMeanwhileLearnsThePaymentAndRefuses() {
        String token = login(gateway(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotifies", true)).exchange().expectStatus().isOk();
        Map<String, Object> order = newOrder(gateway(), token, 12);
        String no = (String) order.get("out_trade_no");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        PayFixtures.placedMinutesAgo(no, 6);

        // WeChat answers closeorder with ORDERPAID: the gateway records the payment instead of closing
        gateway().post().uri("/api/v1/pay/orders/{no}/close", no).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isEqualTo(409).expectBody().jsonPath("$.code").isEqualTo("order_paid");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(sandboxOrder(sandbox(), no).get("tradeState")).isEqualTo("SUCCESS");
    }

    @Test
    void systemErrorFailsWith503AndTheRetryUsesTheSameOutTradeNo() {
        String token = login(gateway(), sandbox());
        String key = UUID.randomUUID().toString();
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("systemErrorRate", 1.0)).exchange().expectStatus().isOk();
        createOrder(gateway(), token, key, 13).expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_pay_unavailable");
        String stored = PayFixtures.count("SELECT COUNT(*) FROM pay_order WHERE idempotency_key = ?", key) == 1
                ? PayFixtures.queryOutTradeNo(key) : null;
        assertThat(stored).as("the order is stored before WeChat is called").isNotNull();
        assertThat(orderColumn(stored, "prepay_id")).isNull();

        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
        List<Object> numbers = new ArrayList<>();
        createOrder(gateway(), token, key, 13).expectStatus().isCreated()
                .expectBody().jsonPath("$.out_trade_no").value(numbers::add);
        assertThat(numbers).containsExactly(stored);
        assertThat(orderColumn(stored, "prepay_id")).isNotNull();
    }
}
