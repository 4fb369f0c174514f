package io.wxgate.notify;

import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.newOrder;
import static io.wxgate.pay.PayFixtures.notifyCount;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static io.wxgate.pay.PayFixtures.paidNotify;
import static io.wxgate.pay.PayFixtures.signed;
import static io.wxgate.pay.PayFixtures.transactionId;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxgate.pay.PayFixtures;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Transaction;
import io.wxgate.wechat.SignType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat Pay's APIv3 notify at {@code /api/v1/pay/notify/v3}: signed over the raw bytes, resource decrypted with the
 * APIv3 key, checked against the order, applied exactly once, 204 only after the commit; every forgery, replay and
 * mismatch refused with nothing changed. The orders are placed through the gateway and marked RSA (an APIv3 order)
 * behind its back, so these tests need no WeChat Pay v3 at the sandbox.
 */
class NotifyV3Test extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PUB_KEY_ID = PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID;

    @Autowired
    MeterRegistry meters;

    private String token;

    @BeforeEach
    void user() {
        token = login(gateway(), sandbox());
    }

    /** An order placed as APIv3 would have placed it: sign type RSA. */
    private String v3Order(long fen) {
        String no = (String) newOrder(gateway(), token, fen).get("out_trade_no");
        PayFixtures.forceColumn(no, "sign_type", "RSA");
        return no;
    }

    private static PayV3Transaction paid(String outTradeNo, long fen, String transactionId) {
        return new PayV3Transaction(TestWorld.APPID, TestWorld.MCH_ID, outTradeNo, transactionId, "JSAPI", "SUCCESS",
                "支付成功", "OTHERS", null, "2026-11-24T12:00:00+08:00", new PayV3Transaction.Payer("oSomeone"),
                new PayV3Transaction.Amount(fen, fen, "CNY", "CNY"));
    }

    /** The body WeChat sends: the transaction encrypted with the APIv3 key under a fresh nonce. */
    private static String body(PayV3Transaction transaction) {
        return body(transaction, PayV3TestKeys.API_V3_KEY);
    }

    private static String body(PayV3Transaction transaction, String apiV3Key) {
        String nonce = UUID.randomUUID().toString().substring(0, 12);
        String sealed = new PayV3Cipher(apiV3Key).encrypt("transaction", nonce, JSON.writeValueAsString(transaction));
        return JSON.writeValueAsString(new PayV3Notification("EV-" + UUID.randomUUID(), "2026-11-24T12:00:01+08:00",
                PayV3Notification.TRANSACTION_SUCCESS, PayV3Notification.ENCRYPT_RESOURCE,
                new PayV3Notification.Resource(PayV3Cipher.ALGORITHM, sealed, "transaction", "transaction", nonce),
                "支付成功"));
    }

    /** Headers as WeChat Pay signs a notify now. */
    private record Signed(String timestamp, String nonce, String signature, String serial) {
    }

    private static Signed sign(String body, long timestamp) {
        String nonce = UUID.randomUUID().toString().replace("-", "");
        String signature = new PayV3Signer(PayV3TestKeys.WECHATPAY.getPrivate())
                .sign(PayV3Signer.message(Long.toString(timestamp), nonce, body));
        return new Signed(Long.toString(timestamp), nonce, signature, PUB_KEY_ID);
    }

    private static EntityExchangeResult<String> post(String body, Signed h) {
        return gateway().post().uri("/api/v1/pay/notify/v3").contentType(MediaType.APPLICATION_JSON)
                .header("Wechatpay-Timestamp", h.timestamp()).header("Wechatpay-Nonce", h.nonce())
                .header("Wechatpay-Signature", h.signature()).header("Wechatpay-Serial", h.serial())
                .header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
                .bodyValue(body.getBytes(StandardCharsets.UTF_8))
                .exchange().expectBody(String.class).returnResult();
    }

    private static EntityExchangeResult<String> post(String body) {
        return post(body, sign(body, Instant.now().getEpochSecond()));
    }

    private static long stored(String outTradeNo) {
        return PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", outTradeNo);
    }

    @Test
    void aSignedEncryptedNotifyIsAppliedOnceAndAnswered204AfterTheCommit() {
        String no = v3Order(41);
        String tid = transactionId();
        String body = body(paid(no, 41, tid));
        EntityExchangeResult<String> reply = post(body);
        assertThat(reply.getStatus().value()).isEqualTo(204);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(tid);
        assertThat(orderColumn(no, "bank_type")).isEqualTo("OTHERS");
        assertThat(orderColumn(no, "time_end")).isEqualTo("20261124120000");
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);

        // WeChat's retry (signed afresh) and a copy of the same request are duplicates: acknowledged, applied once
        String version = orderColumn(no, "version");
        assertThat(post(body).getStatus().value()).isEqualTo(204);
        assertThat(post(body(paid(no, 41, tid))).getStatus().value()).isEqualTo(204);
        assertThat(orderColumn(no, "version")).isEqualTo(version);
        assertThat(notifyCount(no, "DUPLICATE")).isEqualTo(2);
    }

    @Test
    void everySignatureFailureGetsTheSameAnswerAndNothingIsStoredOrChanged() {
        String no = v3Order(42);
        String body = body(paid(no, 42, transactionId()));
        long now = Instant.now().getEpochSecond();
        Signed good = sign(body, now);
        double before = unverified();
        String otherBody = body(paid(no, 43, transactionId()));
        Signed[] forged = {
                new Signed(good.timestamp(), good.nonce(), sign(otherBody, now).signature(), PUB_KEY_ID), // another body's
                new Signed(good.timestamp(), good.nonce(), good.signature(), "PUB_KEY_ID_0000000000000000000000000000"),
                sign(body, now - 301), // replayed: outside the 5-minute window
                sign(body, now + 301), // from the future
                new Signed(good.timestamp(), good.nonce(), "WECHATPAY/SIGNTEST/" + good.signature(), PUB_KEY_ID),
                new Signed(good.timestamp(), good.nonce(), "", PUB_KEY_ID),
                new Signed(good.timestamp(), good.nonce(),
                        new PayV3Signer(PayV3TestKeys.MERCHANT.getPrivate()).sign(PayV3Signer.message(good.timestamp(),
                                good.nonce(), body)), PUB_KEY_ID), // signed by someone else's key
        };
        for (Signed headers : forged) {
            EntityExchangeResult<String> reply = post(body, headers);
            assertThat(reply.getStatus().value()).isEqualTo(401);
            assertThat(reply.getResponseBody()).isEqualTo("{\"code\":\"FAIL\",\"message\":\"BAD_SIGN\"}");
        }
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(stored(no)).isZero();
        assertThat(unverified() - before).isEqualTo(forged.length);
        // and the genuine one still works afterwards
        assertThat(post(body, good).getStatus().value()).isEqualTo(204);
    }

    @Test
    void signedButRefusedNotifiesGet400AndChangeNothing() {
        String no = v3Order(44);
        String tid = transactionId();
        expectRefused(body(paid(no, 45, tid)), "AMOUNT_MISMATCH");
        expectRefused(body(withMerchant(paid(no, 44, tid), t -> new PayV3Transaction(t.appid(), "1900000999",
                t.outTradeNo(), t.transactionId(), t.tradeType(), t.tradeState(), t.tradeStateDesc(), t.bankType(),
                t.attach(), t.successTime(), t.payer(), t.amount()))), "WRONG_MERCHANT");
        expectRefused(body(withMerchant(paid(no, 44, tid), t -> new PayV3Transaction("wx0000000000000bad",
                t.mchid(), t.outTradeNo(), t.transactionId(), t.tradeType(), t.tradeState(), t.tradeStateDesc(),
                t.bankType(), t.attach(), t.successTime(), t.payer(), t.amount()))), "WRONG_MERCHANT");
        // signed by WeChat Pay but sealed with another APIv3 key (the merchant's setting is wrong, or it was tampered)
        expectRefused(body(paid(no, 44, tid), "ThisIsNotTheApiV3KeyOfThisShop!!"), "UNDECRYPTABLE");
        expectRefused("{\"id\":\"EV-1\",\"resource\":{\"algorithm\":\"AEAD_AES_256_GCM\"}}", "UNDECRYPTABLE");
        expectRefused("not json at all", "MALFORMED");
        expectRefused(body(paid("20991231000000unknownorder000000", 44, tid)), "UNKNOWN_ORDER");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(orderColumn(no, "transaction_id")).isNull();
        assertThat(post(body(paid(no, 44, tid))).getStatus().value()).isEqualTo(204);
    }

    private static PayV3Transaction withMerchant(PayV3Transaction t, UnaryOperator<PayV3Transaction> change) {
        return change.apply(t);
    }

    private static void expectRefused(String body, String verdict) {
        EntityExchangeResult<String> reply = post(body);
        assertThat(reply.getStatus().value()).as(verdict).isEqualTo(400);
        assertThat(reply.getResponseBody()).isEqualTo("{\"code\":\"FAIL\",\"message\":\"" + verdict + "\"}");
    }

    @Test
    void aNotifyOfTheOtherApiVersionIsRefusedForTheOrder() {
        String v3 = v3Order(46);
        String tid = transactionId();
        // an APIv2 notify (valid MD5 sign) for an APIv3 order
        String v2Reply = gateway().post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML)
                .bodyValue(signed(paidNotify(v3, 46, tid), SignType.MD5))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(v2Reply).contains("WRONG_SIGN_TYPE");
        assertThat(orderColumn(v3, "trade_state")).isEqualTo("NOTPAY");

        // an APIv3 notify for an APIv2 order
        String v2 = (String) newOrder(gateway(), token, 47).get("out_trade_no");
        expectRefused(body(paid(v2, 47, transactionId())), "WRONG_SIGN_TYPE");
        assertThat(orderColumn(v2, "trade_state")).isEqualTo("NOTPAY");
        // and an APIv2 XML body at the v3 path is no signed JSON at all
        EntityExchangeResult<String> xmlAtV3 = gateway().post().uri("/api/v1/pay/notify/v3")
                .contentType(MediaType.TEXT_XML).bodyValue(signed(paidNotify(v2, 47, tid), SignType.MD5))
                .exchange().expectBody(String.class).returnResult();
        assertThat(xmlAtV3.getStatus().value()).isEqualTo(401);
    }

    @Test
    void anApiV3NotifyAtTheApiV2PathIsRefusedWithAStatusWeChatRetriesOn() {
        String no = v3Order(49);
        String body = body(paid(no, 49, transactionId()));
        Signed h = sign(body, Instant.now().getEpochSecond());
        EntityExchangeResult<String> reply = gateway().post().uri("/api/v1/pay/notify")
                .contentType(MediaType.APPLICATION_JSON)
                .header("Wechatpay-Timestamp", h.timestamp()).header("Wechatpay-Nonce", h.nonce())
                .header("Wechatpay-Signature", h.signature()).header("Wechatpay-Serial", h.serial())
                .bodyValue(body).exchange().expectBody(String.class).returnResult();
        // v3 WeChat reads only the status: a 200 here would have dropped the payment notice
        assertThat(reply.getStatus().value()).isEqualTo(400);
        assertThat(reply.getResponseBody()).contains("APIV3_NOTIFY_AT_APIV2_PATH");
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(stored(no)).isZero();
    }

    @Test
    void aPaymentForAnOrderClosedHereIsAppliedAndFlagged() {
        String no = v3Order(48);
        PayFixtures.forceTradeState(no, "CLOSED");
        assertThat(post(body(paid(no, 48, transactionId()))).getStatus().value()).isEqualTo(204);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "paid_after_close")).isEqualTo("1");
        assertThat(notifyCount(no, "APPLIED_AFTER_CLOSE")).isEqualTo(1);
    }

    @Test
    void anOversizedBodyIsRefusedUnread() {
        String huge = "{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        EntityExchangeResult<String> reply = post(huge);
        assertThat(reply.getStatus().value()).isEqualTo(413);
        assertThat(reply.getResponseBody()).isEqualTo("{\"code\":\"FAIL\",\"message\":\"BODY_TOO_LARGE\"}");
    }

    private double unverified() {
        Counter c = meters.find("wxgate.pay.notify.unverified").tag("verdict", "BAD_SIGN").counter();
        return c == null ? 0 : c.count();
    }
}
