package io.wxgate.sandbox.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxgate.sandbox.SandboxApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.OwnSandbox;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;

/**
 * The sandbox's WeChat Pay over real HTTP, as a WeChat Pay client library, a phone and a merchant's notify endpoint
 * see it. Starts its own sandbox (so its fault switches touch no other test) and a tiny notify receiver.
 */
class SandboxPayTest {

    private static final PayXml XML = new PayXml();
    private static final PaySigner SIGNER = new PaySigner(TestWorld.API_KEY);
    private static final String OPENID = "oSandboxPayTestOpenid0000001";

    private static OwnSandbox ownSandbox;
    private static WebTestClient sandbox;
    private static DisposableServer receiver;
    /** Notify bodies received, by the receiver's mode (its path). */
    private static final Map<String, List<Map<String, String>>> received = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> seenPerOrder = new ConcurrentHashMap<>();
    private static final AtomicInteger orderCounter = new AtomicInteger();

    private static final String SUCCESS_REPLY =
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";
    private static final String FAIL_REPLY =
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[try again]]></return_msg></xml>";

    /**
     * The merchant's notify endpoint, by path: "ok" always acknowledges; "fail-once" answers FAIL to an order's first
     * notify; "http500-once" answers HTTP 500 (with a SUCCESS body) to an order's first notify; "verify" acknowledges
     * only notifies whose sign verifies, as a correct merchant does.
     */
    @BeforeAll
    static void start() {
        receiver = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/{mode}", (request, response) -> request.receive().aggregate().asString()
                        .defaultIfEmpty("")
                        .flatMap(body -> {
                            String mode = request.param("mode");
                            Map<String, String> fields = XML.read(body);
                            received.computeIfAbsent(mode, m -> new CopyOnWriteArrayList<>()).add(fields);
                            int seen = seenPerOrder.computeIfAbsent(fields.get("out_trade_no"), k -> new AtomicInteger())
                                    .incrementAndGet();
                            int status = mode.equals("http500-once") && seen == 1 ? 500 : 200;
                            boolean ok = switch (mode) {
                                case "fail-once" -> seen > 1;
                                case "verify" -> SIGNER.verify(fields,
                                        SignType.fromWire(fields.get("sign_type")).orElseThrow());
                                default -> true;
                            };
                            return response.status(status).header("Content-Type", "text/xml")
                                    .sendString(Mono.just(ok ? SUCCESS_REPLY : FAIL_REPLY)).then();
                        })))
                .bindNow();
        ownSandbox = OwnSandbox.start();
        sandbox = WebTestClient.bindToServer().baseUrl(ownSandbox.url())
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (ownSandbox != null) {
            ownSandbox.close();
        }
        if (receiver != null) {
            receiver.disposeNow();
        }
    }

    @AfterEach
    void resetFaults() {
        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    // ---- unifiedorder ----

    @Test
    void unifiedOrderWithMd5ReturnsASignedPrepayId() {
        Map<String, String> reply = post("/pay/unifiedorder", signed(order(newOutTradeNo(), 1, "ok"), SignType.MD5));

        assertThat(reply).containsEntry("return_code", "SUCCESS").containsEntry("return_msg", "OK")
                .containsEntry("result_code", "SUCCESS").containsEntry("trade_type", "JSAPI")
                .containsEntry("appid", TestWorld.APPID).containsEntry("mch_id", TestWorld.MCH_ID);
        assertThat(reply.get("prepay_id")).matches("wx\\d{14}\\w{20}");
        assertThat(reply.get("nonce_str")).hasSize(32);
        assertThat(SIGNER.verify(reply, SignType.MD5)).isTrue();
        assertThat(SIGNER.verify(reply, SignType.HMAC_SHA256)).isFalse();
    }

    @Test
    void unifiedOrderWithHmacSha256SignsTheReplyWithHmacSha256() {
        Map<String, String> reply = post("/pay/unifiedorder",
                signed(order(newOutTradeNo(), 100, "ok"), SignType.HMAC_SHA256));

        assertThat(reply).containsEntry("result_code", "SUCCESS");
        assertThat(SIGNER.verify(reply, SignType.HMAC_SHA256)).isTrue();
        assertThat(SIGNER.verify(reply, SignType.MD5)).isFalse();
    }

    @Test
    void theBodyIsUtf8WhateverCharsetTheRequestDeclares() {
        String outTradeNo = newOutTradeNo();
        byte[] utf8 = XML.write(signed(order(outTradeNo, 1, "ok"), SignType.MD5)).getBytes(StandardCharsets.UTF_8);

        String reply = sandbox.post().uri("/pay/unifiedorder")
                .contentType(MediaType.parseMediaType("text/plain;charset=ISO-8859-1")).bodyValue(utf8)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();

        assertThat(XML.read(reply)).containsEntry("result_code", "SUCCESS");
    }

    @Test
    void unifiedOrderWithABadSignIsASignError() {
        Map<String, String> request = signed(order(newOutTradeNo(), 1, "ok"), SignType.MD5);
        request.put("total_fee", "2");

        Map<String, String> reply = post("/pay/unifiedorder", request);

        assertThat(reply).containsEntry("return_code", "FAIL").containsEntry("return_msg", "签名错误")
                .doesNotContainKey("sign").doesNotContainKey("prepay_id");
    }

    @Test
    void unifiedOrderSignedWithAnotherKeyIsASignError() {
        Map<String, String> request = order(newOutTradeNo(), 1, "ok");
        request.put("sign", new PaySigner("someoneelseskey0123456789abcdefg").sign(request, SignType.MD5));

        assertThat(post("/pay/unifiedorder", request)).containsEntry("return_code", "FAIL")
                .containsEntry("return_msg", "签名错误");
    }

    @Test
    void unifiedOrderWithADoctypeIsRejectedBeforeParsing() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><appid>&xxe;</appid></xml>";

        Map<String, String> reply = XML.read(postRaw("/pay/unifiedorder", xxe));

        assertThat(reply).containsEntry("return_code", "FAIL");
        assertThat(reply.get("return_msg")).contains("DOCTYPE").doesNotContain("root:");
    }

    @Test
    void unifiedOrderNamesAMissingParameter() {
        Map<String, String> request = order(newOutTradeNo(), 1, "ok");
        request.remove("spbill_create_ip");

        Map<String, String> reply = post("/pay/unifiedorder", signed(request, SignType.MD5));

        assertThat(reply).containsEntry("return_code", "FAIL");
        assertThat(reply.get("return_msg")).contains("spbill_create_ip");
    }

    @Test
    void jsapiUnifiedOrderRequiresTheOpenid() {
        Map<String, String> request = order(newOutTradeNo(), 1, "ok");
        request.remove("openid");

        Map<String, String> reply = post("/pay/unifiedorder", signed(request, SignType.MD5));

        assertThat(reply).containsEntry("return_code", "FAIL");
        assertThat(reply.get("return_msg")).contains("openid");
    }

    @Test
    void unknownMerchantIsAFail() {
        Map<String, String> request = order(newOutTradeNo(), 1, "ok");
        request.put("mch_id", "1999999999");

        Map<String, String> reply = post("/pay/unifiedorder", signed(request, SignType.MD5));

        assertThat(reply).containsEntry("return_code", "FAIL");
        assertThat(reply.get("return_msg")).contains("mch_id");
    }

    @Test
    void nonPositiveTotalFeeIsAParamError() {
        for (String fee : List.of("0", "-1", "1.5", "abc")) {
            Map<String, String> request = order(newOutTradeNo(), 1, "ok");
            request.put("total_fee", fee);

            Map<String, String> reply = post("/pay/unifiedorder", signed(request, SignType.MD5));

            assertThat(reply).as("total_fee=" + fee).containsEntry("return_code", "SUCCESS")
                    .containsEntry("result_code", "FAIL").containsEntry("err_code", "PARAM_ERROR");
            assertThat(SIGNER.verify(reply, SignType.MD5)).isTrue();
        }
    }

    @Test
    void sameOutTradeNoWithTheSameFieldsReturnsTheSamePrepayId() {
        String outTradeNo = newOutTradeNo();
        Map<String, String> first = post("/pay/unifiedorder", signed(order(outTradeNo, 88, "ok"), SignType.MD5));
        Map<String, String> again = post("/pay/unifiedorder", signed(order(outTradeNo, 88, "ok"), SignType.MD5));

        assertThat(again).containsEntry("result_code", "SUCCESS");
        assertThat(again.get("prepay_id")).isEqualTo(first.get("prepay_id"));
        assertThat(again.get("nonce_str")).isNotEqualTo(first.get("nonce_str"));
    }

    @Test
    void sameOutTradeNoWithDifferentFieldsIsOutTradeNoUsed() {
        String outTradeNo = newOutTradeNo();
        post("/pay/unifiedorder", signed(order(outTradeNo, 88, "ok"), SignType.MD5));

        Map<String, String> reply = post("/pay/unifiedorder", signed(order(outTradeNo, 89, "ok"), SignType.MD5));

        assertThat(reply).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "OUT_TRADE_NO_USED").doesNotContainKey("prepay_id");
        assertThat(SIGNER.verify(reply, SignType.MD5)).isTrue();
    }

    // ---- requestPayment and the notify ----

    @Test
    void requestPaymentWithABadPaySignIsRejectedAndNothingIsPaid() {
        String outTradeNo = newOutTradeNo();
        String prepayId = placeOrder(outTradeNo, 1, "ok", SignType.MD5);
        Map<String, String> call = phoneCall(prepayId, SignType.MD5);
        call.put("paySign", call.get("paySign").replace(call.get("paySign").charAt(3), call.get("paySign").charAt(3) == 'A' ? 'B' : 'A'));

        sandbox.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(call)
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errMsg").value(msg -> assertThat((String) msg).startsWith("requestPayment:fail"));

        assertThat(orderView(outTradeNo).get("tradeState").asString()).isEqualTo("NOTPAY");
    }

    @Test
    void requestPaymentSignedOverTheWrongAppIdIsRejected() {
        String prepayId = placeOrder(newOutTradeNo(), 1, "ok", SignType.MD5);
        Map<String, String> call = phoneCall(prepayId, SignType.MD5);
        Map<String, String> signedFields = new LinkedHashMap<>(call);
        signedFields.remove("paySign");
        signedFields.put("appId", "wx0000000000000000");
        call.put("paySign", SIGNER.sign(signedFields, SignType.MD5));

        requestPayment(call).expectStatus().isBadRequest();
    }

    @Test
    void paidOrderIsNotifiedAndRetriedUntilTheMerchantAnswersSuccess() {
        String outTradeNo = newOutTradeNo();
        String prepayId = placeOrder(outTradeNo, 2350, "fail-once", SignType.MD5);

        requestPayment(phoneCall(prepayId, SignType.MD5)).expectStatus().isOk()
                .expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");

        await().atMost(Duration.ofSeconds(10)).until(() -> orderView(outTradeNo).get("notifyAcknowledged").asBoolean());
        List<Map<String, String>> notifies = notifiesFor("fail-once", outTradeNo);
        assertThat(notifies).hasSize(2);
        JsonNode view = orderView(outTradeNo);
        assertThat(view.get("tradeState").asString()).isEqualTo("SUCCESS");
        assertThat(view.get("notifyAttempts")).hasSize(2);
        assertThat(view.get("notifyAttempts").get(0).get("status").asInt()).isEqualTo(200);
        assertThat(view.get("notifyAttempts").get(0).get("reply").asString()).contains("FAIL");
        assertThat(view.get("notifyAttempts").get(1).get("reply").asString()).contains("SUCCESS");

        Map<String, String> notify = notifies.get(1);
        assertThat(SIGNER.verify(notify, SignType.MD5)).isTrue();
        assertThat(notify).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                .containsEntry("appid", TestWorld.APPID).containsEntry("mch_id", TestWorld.MCH_ID)
                .containsEntry("openid", OPENID).containsEntry("is_subscribe", "N").containsEntry("trade_type", "JSAPI")
                .containsEntry("bank_type", "OTHERS").containsEntry("total_fee", "2350").containsEntry("cash_fee", "2350")
                .containsEntry("fee_type", "CNY").containsEntry("out_trade_no", outTradeNo)
                .containsEntry("transaction_id", view.get("transactionId").asString())
                .doesNotContainKey("sign_type");
        assertThat(notify.get("transaction_id")).matches("\\d{28}");
        assertThat(notify.get("time_end")).matches("\\d{14}");
        assertThat(notify.get("nonce_str")).isNotEmpty();
        assertThat(notifies.get(0)).isEqualTo(notify);
    }

    @Test
    void hmacSha256OrderGetsAnHmacSha256Notify() {
        String outTradeNo = newOutTradeNo();
        String prepayId = placeOrder(outTradeNo, 1, "ok", SignType.HMAC_SHA256);

        requestPayment(phoneCall(prepayId, SignType.HMAC_SHA256)).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> notifiesFor("ok", outTradeNo).size() == 1);
        Map<String, String> notify = notifiesFor("ok", outTradeNo).get(0);
        assertThat(notify).containsEntry("sign_type", "HMAC-SHA256");
        assertThat(SIGNER.verify(notify, SignType.HMAC_SHA256)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> orderView(outTradeNo).get("notifyAcknowledged").asBoolean());
    }

    @Test
    void aPaidPrepayCannotBePaidTwice() {
        String prepayId = placeOrder(newOutTradeNo(), 1, "ok", SignType.MD5);
        requestPayment(phoneCall(prepayId, SignType.MD5)).expectStatus().isOk();

        requestPayment(phoneCall(prepayId, SignType.MD5)).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.errMsg").value(msg -> assertThat((String) msg).startsWith("requestPayment:fail"));
    }

    @Test
    void anHttpErrorCountsAsAFailedNotifyEvenWithASuccessBody() {
        String outTradeNo = newOutTradeNo();
        requestPayment(phoneCall(placeOrder(outTradeNo, 5, "http500-once", SignType.MD5), SignType.MD5))
                .expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> orderView(outTradeNo).get("notifyAcknowledged").asBoolean());
        JsonNode attempts = orderView(outTradeNo).get("notifyAttempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("status").asInt()).isEqualTo(500);
        assertThat(attempts.get(1).get("status").asInt()).isEqualTo(200);
    }

    @Test
    void anUnreachableNotifyUrlIsRetriedAndEachFailureRecorded() {
        String outTradeNo = newOutTradeNo();
        Map<String, String> request = order(outTradeNo, 5, "ok");
        request.put("notify_url", "http://127.0.0.1:" + EmbeddedServers.freePort() + "/nobody-listens");
        Map<String, String> reply = post("/pay/unifiedorder", signed(request, SignType.MD5));
        requestPayment(phoneCall(reply.get("prepay_id"), SignType.MD5)).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> orderView(outTradeNo).get("notifyAttempts").size() >= 3);
        JsonNode view = orderView(outTradeNo);
        assertThat(view.get("notifyAcknowledged").asBoolean()).isFalse();
        JsonNode first = view.get("notifyAttempts").get(0);
        assertThat(first.has("status")).isFalse();
        assertThat(first.get("error").asString()).isNotEmpty();
        assertThat(first.get("at").asString()).isNotEmpty();
    }

    @Test
    void anExpiredPrepayIdCannotBePaidAndTheSameOrderGetsAFreshOne() {
        int port = EmbeddedServers.freePort();
        Map<String, Object> properties = new LinkedHashMap<>(TestWorld.sandboxProperties(port, EmbeddedServers.freePort()));
        properties.put("sandbox.pay.prepay-ttl", "300ms");
        try (ConfigurableApplicationContext shortLived = SandboxApplication.start(properties)) {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                    .responseTimeout(Duration.ofSeconds(10)).build();
            String outTradeNo = newOutTradeNo();
            String request = XML.write(signed(order(outTradeNo, 1, "ok"), SignType.MD5));
            String prepayId = XML.read(client.post().uri("/pay/unifiedorder").contentType(MediaType.TEXT_XML)
                    .bodyValue(request).exchange().expectBody(String.class).returnResult().getResponseBody())
                    .get("prepay_id");

            await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> true);
            client.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(phoneCall(prepayId, SignType.MD5)).exchange().expectStatus().isEqualTo(409)
                    .expectBody().jsonPath("$.errMsg").value(msg -> assertThat((String) msg).contains("expired"));

            Map<String, String> again = XML.read(client.post().uri("/pay/unifiedorder").contentType(MediaType.TEXT_XML)
                    .bodyValue(XML.write(signed(order(outTradeNo, 1, "ok"), SignType.MD5))).exchange()
                    .expectBody(String.class).returnResult().getResponseBody());
            assertThat(again).containsEntry("result_code", "SUCCESS");
            assertThat(again.get("prepay_id")).isNotEqualTo(prepayId);
            client.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(phoneCall(again.get("prepay_id"), SignType.MD5)).exchange().expectStatus().isOk();
        }
    }

    // ---- orderquery and closeorder ----

    @Test
    void orderQueryFollowsTheOrderFromNotPaidToPaid() {
        String outTradeNo = newOutTradeNo();
        String prepayId = placeOrder(outTradeNo, 1234, "ok", SignType.MD5);

        Map<String, String> before = query(Map.of("out_trade_no", outTradeNo), SignType.MD5);
        assertThat(before).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                .containsEntry("trade_state", "NOTPAY").containsEntry("out_trade_no", outTradeNo)
                .doesNotContainKey("transaction_id");
        assertThat(SIGNER.verify(before, SignType.MD5)).isTrue();

        requestPayment(phoneCall(prepayId, SignType.MD5)).expectStatus().isOk();

        Map<String, String> after = query(Map.of("out_trade_no", outTradeNo), SignType.HMAC_SHA256);
        assertThat(SIGNER.verify(after, SignType.HMAC_SHA256)).isTrue();
        assertThat(after).containsEntry("result_code", "SUCCESS").containsEntry("trade_state", "SUCCESS")
                .containsEntry("openid", OPENID).containsEntry("trade_type", "JSAPI").containsEntry("bank_type", "OTHERS")
                .containsEntry("total_fee", "1234").containsEntry("cash_fee", "1234").containsEntry("fee_type", "CNY")
                .containsEntry("out_trade_no", outTradeNo);
        assertThat(after.get("transaction_id")).matches("\\d{28}");
        assertThat(after.get("time_end")).matches("\\d{14}");
        assertThat(after.get("trade_state_desc")).isNotEmpty();

        Map<String, String> byTransactionId = query(Map.of("transaction_id", after.get("transaction_id")), SignType.MD5);
        assertThat(byTransactionId).containsEntry("trade_state", "SUCCESS").containsEntry("out_trade_no", outTradeNo);
    }

    @Test
    void orderQueryForAnUnknownOrderIsOrderNotExist() {
        Map<String, String> reply = query(Map.of("out_trade_no", "never-placed-" + newOutTradeNo()), SignType.MD5);

        assertThat(reply).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "ORDERNOTEXIST");
        assertThat(SIGNER.verify(reply, SignType.MD5)).isTrue();
    }

    @Test
    void orderQueryWithABadSignIsASignError() {
        Map<String, String> request = queryFields(Map.of("out_trade_no", newOutTradeNo()));
        request.put("sign", "0123456789ABCDEF0123456789ABCDEF");

        assertThat(post("/pay/orderquery", request)).containsEntry("return_code", "FAIL")
                .containsEntry("return_msg", "签名错误");
    }

    @Test
    void closedOrderCannotBePaidOrPlacedAgain() {
        String outTradeNo = newOutTradeNo();
        String prepayId = placeOrder(outTradeNo, 1, "ok", SignType.MD5);

        Map<String, String> closed = close(outTradeNo);
        assertThat(closed).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS");
        assertThat(SIGNER.verify(closed, SignType.MD5)).isTrue();

        assertThat(query(Map.of("out_trade_no", outTradeNo), SignType.MD5)).containsEntry("trade_state", "CLOSED");
        requestPayment(phoneCall(prepayId, SignType.MD5)).expectStatus().isEqualTo(409);
        assertThat(post("/pay/unifiedorder", signed(order(outTradeNo, 1, "ok"), SignType.MD5)))
                .containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERCLOSED");
        assertThat(close(outTradeNo)).containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERCLOSED");
        assertThat(orderView(outTradeNo).get("tradeState").asString()).isEqualTo("CLOSED");
    }

    @Test
    void paidOrderCannotBeClosedOrPlacedAgain() {
        String outTradeNo = newOutTradeNo();
        requestPayment(phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5)).expectStatus().isOk();

        assertThat(close(outTradeNo)).containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERPAID");
        assertThat(post("/pay/unifiedorder", signed(order(outTradeNo, 1, "ok"), SignType.MD5)))
                .containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERPAID");
        assertThat(query(Map.of("out_trade_no", outTradeNo), SignType.MD5)).containsEntry("trade_state", "SUCCESS");
    }

    @Test
    void closingAnUnknownOrderIsOrderNotExist() {
        assertThat(close("never-placed-" + orderCounter.incrementAndGet()))
                .containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERNOTEXIST");
    }

    // ---- faults ----

    @Test
    void faultsCanBeSetReadAndReset() {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("latencyMs", 5, "notifyCopies", 2)).exchange().expectStatus().isOk();

        sandbox.get().uri("/sandbox/faults").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.latencyMs").isEqualTo(5).jsonPath("$.notifyCopies").isEqualTo(2)
                .jsonPath("$.dropNotifies").isEqualTo(false).jsonPath("$.systemErrorRate").isEqualTo(0.0);

        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
        sandbox.get().uri("/sandbox/faults").exchange().expectBody()
                .jsonPath("$.latencyMs").isEqualTo(0).jsonPath("$.notifyCopies").isEqualTo(1);
    }

    @Test
    void impossibleFaultsAreRejected() {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("systemErrorRate", 1.5)).exchange().expectStatus().isBadRequest();
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("notifyCopies", 0)).exchange().expectStatus().isBadRequest();
    }

    @Test
    void aMisspelledFaultIsRejectedRatherThanIgnored() {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("dropNotify", true)).exchange().expectStatus().isBadRequest();
        sandbox.get().uri("/sandbox/faults").exchange().expectBody().jsonPath("$.dropNotifies").isEqualTo(false);
    }

    @Test
    void requestPaymentAcceptsTheAppIdSomeServersAlsoReturn() {
        String outTradeNo = newOutTradeNo();
        Map<String, String> call = phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5);
        call.put("appId", TestWorld.APPID);

        requestPayment(call).expectStatus().isOk().expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");
    }

    @Test
    void droppedNotifiesAreNeverSentButTheOrderIsPaid() throws InterruptedException {
        setFaults(Map.of("dropNotifies", true));
        String outTradeNo = newOutTradeNo();

        requestPayment(phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5)).expectStatus().isOk();

        Thread.sleep(500);
        assertThat(notifiesFor("ok", outTradeNo)).isEmpty();
        JsonNode view = orderView(outTradeNo);
        assertThat(view.get("tradeState").asString()).isEqualTo("SUCCESS");
        assertThat(view.get("notifyAttempts")).isEmpty();
        assertThat(view.get("notifyAcknowledged").asBoolean()).isFalse();
        assertThat(query(Map.of("out_trade_no", outTradeNo), SignType.MD5)).containsEntry("trade_state", "SUCCESS");
    }

    @Test
    void notifyCopiesDeliverEachNotifySeveralTimes() {
        setFaults(Map.of("notifyCopies", 3));
        String outTradeNo = newOutTradeNo();

        requestPayment(phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5)).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> notifiesFor("ok", outTradeNo).size() >= 3);
        List<Map<String, String>> notifies = notifiesFor("ok", outTradeNo);
        assertThat(notifies).hasSize(3);
        assertThat(notifies).allSatisfy(n -> assertThat(n).isEqualTo(notifies.get(0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> orderView(outTradeNo).get("notifyAttempts").size() == 3);
        assertThat(orderView(outTradeNo).get("notifyAcknowledged").asBoolean()).isTrue();
    }

    @Test
    void badlySignedNotifiesAreRejectedAndRetriedUntilSignedProperly() throws InterruptedException {
        setFaults(Map.of("badSignNotifies", true));
        String outTradeNo = newOutTradeNo();

        requestPayment(phoneCall(placeOrder(outTradeNo, 1, "verify", SignType.HMAC_SHA256), SignType.HMAC_SHA256))
                .expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> notifiesFor("verify", outTradeNo).size() >= 2);
        assertThat(notifiesFor("verify", outTradeNo))
                .allSatisfy(n -> assertThat(SIGNER.verify(n, SignType.HMAC_SHA256)).isFalse());
        assertThat(orderView(outTradeNo).get("notifyAcknowledged").asBoolean()).isFalse();

        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
        await().atMost(Duration.ofSeconds(20)).until(() -> orderView(outTradeNo).get("notifyAcknowledged").asBoolean());
        List<Map<String, String>> notifies = notifiesFor("verify", outTradeNo);
        assertThat(SIGNER.verify(notifies.get(notifies.size() - 1), SignType.HMAC_SHA256)).isTrue();
    }

    @Test
    void reorderedNotifiesAllArriveButNotInPaymentOrder() {
        setFaults(Map.of("reorderNotifies", true, "reorderWindowMs", 300));
        List<String> paidInOrder = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String outTradeNo = newOutTradeNo();
            requestPayment(phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5)).expectStatus().isOk();
            paidInOrder.add(outTradeNo);
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> paidInOrder.stream().allMatch(no -> notifiesFor("ok", no).size() == 1));
        List<String> arrived = received.get("ok").stream().map(n -> n.get("out_trade_no"))
                .filter(paidInOrder::contains).toList();
        assertThat(arrived).containsExactlyInAnyOrderElementsOf(paidInOrder);
        assertThat(arrived).isNotEqualTo(paidInOrder);
    }

    @Test
    void systemErrorRateOneFailsEveryUnifiedOrderWithoutPlacingIt() {
        setFaults(Map.of("systemErrorRate", 1.0));
        String outTradeNo = newOutTradeNo();

        Map<String, String> reply = post("/pay/unifiedorder", signed(order(outTradeNo, 1, "ok"), SignType.MD5));

        assertThat(reply).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "SYSTEMERROR");
        assertThat(SIGNER.verify(reply, SignType.MD5)).isTrue();
        sandbox.delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
        assertThat(query(Map.of("out_trade_no", outTradeNo), SignType.MD5)).containsEntry("err_code", "ORDERNOTEXIST");
    }

    @Test
    void latencyDelaysPayReplies() {
        setFaults(Map.of("latencyMs", 400));
        long started = System.nanoTime();

        post("/pay/orderquery", queryFields(Map.of("out_trade_no", newOutTradeNo())));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void failRequestPaymentLeavesTheOrderUnpaid() {
        setFaults(Map.of("failRequestPayment", true));
        String outTradeNo = newOutTradeNo();

        requestPayment(phoneCall(placeOrder(outTradeNo, 1, "ok", SignType.MD5), SignType.MD5))
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.errMsg").value(msg -> assertThat((String) msg).startsWith("requestPayment:fail"));
        assertThat(orderView(outTradeNo).get("tradeState").asString()).isEqualTo("NOTPAY");
    }

    @Test
    void theOrderListShowsEveryPaymentMadeAndFiltersByState() {
        String paid = newOutTradeNo();
        String unpaid = newOutTradeNo();
        requestPayment(phoneCall(placeOrder(paid, 7, "ok", SignType.MD5), SignType.MD5)).expectStatus().isOk();
        placeOrder(unpaid, 1, "ok", SignType.MD5);

        JsonNode success = sandbox.get().uri("/sandbox/pay/orders?state=SUCCESS").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        List<String> paidNos = success.valueStream().map(o -> o.get("outTradeNo").asString()).toList();
        assertThat(paidNos).contains(paid).doesNotContain(unpaid);
        JsonNode line = success.valueStream().filter(o -> paid.equals(o.get("outTradeNo").asString())).findFirst().orElseThrow();
        assertThat(line.get("totalFee").asLong()).isEqualTo(7);
        assertThat(line.get("transactionId").asString()).isNotBlank();
        sandbox.get().uri("/sandbox/pay/orders?state=NOT_A_STATE").exchange().expectStatus().isBadRequest();
    }

    @Test
    void unknownOrderHasNoView() {
        sandbox.get().uri("/sandbox/pay/orders/{no}", "never-placed").exchange().expectStatus().isNotFound();
    }

    // ---- helpers ----

    private static String newOutTradeNo() {
        return "T" + System.currentTimeMillis() + "n" + orderCounter.incrementAndGet();
    }

    private String receiverUrl(String mode) {
        return "http://127.0.0.1:" + receiver.port() + "/" + mode;
    }

    private Map<String, String> order(String outTradeNo, long totalFee, String notifyMode) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", TestWorld.APPID);
        fields.put("mch_id", TestWorld.MCH_ID);
        fields.put("nonce_str", "n" + System.nanoTime());
        fields.put("body", "沙箱测试-商品");
        fields.put("out_trade_no", outTradeNo);
        fields.put("total_fee", Long.toString(totalFee));
        fields.put("spbill_create_ip", "127.0.0.1");
        fields.put("notify_url", receiverUrl(notifyMode));
        fields.put("trade_type", "JSAPI");
        fields.put("openid", OPENID);
        return fields;
    }

    private static Map<String, String> signed(Map<String, String> fields, SignType type) {
        Map<String, String> out = new LinkedHashMap<>(fields);
        if (type == SignType.HMAC_SHA256) {
            out.put("sign_type", type.wireName());
        }
        out.put("sign", SIGNER.sign(out, type));
        return out;
    }

    private String placeOrder(String outTradeNo, long totalFee, String notifyMode, SignType type) {
        Map<String, String> reply = post("/pay/unifiedorder", signed(order(outTradeNo, totalFee, notifyMode), type));
        assertThat(reply).containsEntry("result_code", "SUCCESS");
        return reply.get("prepay_id");
    }

    /** What the gateway hands the mini-program for wx.requestPayment. */
    private static Map<String, String> phoneCall(String prepayId, SignType type) {
        Map<String, String> signedFields = new LinkedHashMap<>();
        signedFields.put("appId", TestWorld.APPID);
        signedFields.put("timeStamp", Long.toString(System.currentTimeMillis() / 1000));
        signedFields.put("nonceStr", "phone" + System.nanoTime());
        signedFields.put("package", "prepay_id=" + prepayId);
        signedFields.put("signType", type.wireName());
        Map<String, String> call = new LinkedHashMap<>(signedFields);
        call.remove("appId");
        call.put("paySign", SIGNER.sign(signedFields, type));
        return call;
    }

    private void setFaults(Map<String, Object> faults) {
        sandbox.put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON).bodyValue(faults)
                .exchange().expectStatus().isOk();
    }

    private static Map<String, String> queryFields(Map<String, String> key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", TestWorld.APPID);
        fields.put("mch_id", TestWorld.MCH_ID);
        fields.putAll(key);
        fields.put("nonce_str", "q" + System.nanoTime());
        return fields;
    }

    private Map<String, String> query(Map<String, String> key, SignType type) {
        return post("/pay/orderquery", signed(queryFields(key), type));
    }

    private Map<String, String> close(String outTradeNo) {
        return post("/pay/closeorder", signed(queryFields(Map.of("out_trade_no", outTradeNo)), SignType.MD5));
    }

    private WebTestClient.ResponseSpec requestPayment(Map<String, String> call) {
        return sandbox.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(call).exchange();
    }

    private Map<String, String> post(String path, Map<String, String> fields) {
        return XML.read(postRaw(path, XML.write(fields)));
    }

    private String postRaw(String path, String body) {
        return sandbox.post().uri(path).contentType(MediaType.TEXT_XML)
                .bodyValue(body.getBytes(StandardCharsets.UTF_8))
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_XML)
                .expectBody(String.class).returnResult().getResponseBody();
    }

    private JsonNode orderView(String outTradeNo) {
        return sandbox.get().uri("/sandbox/pay/orders/{no}", outTradeNo).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private static List<Map<String, String>> notifiesFor(String mode, String outTradeNo) {
        return received.getOrDefault(mode, List.of()).stream()
                .filter(n -> outTradeNo.equals(n.get("out_trade_no"))).toList();
    }
}
