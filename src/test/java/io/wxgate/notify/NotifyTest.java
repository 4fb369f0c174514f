package io.wxgate.notify;

import static io.wxgate.pay.PayFixtures.login;
import static io.wxgate.pay.PayFixtures.newOrder;
import static io.wxgate.pay.PayFixtures.notifyCount;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static io.wxgate.pay.PayFixtures.paidNotify;
import static io.wxgate.pay.PayFixtures.signed;
import static io.wxgate.pay.PayFixtures.transactionId;
import static io.wxgate.pay.PayFixtures.sandboxOrder;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.pay.PayFixtures;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

class NotifyTest extends IntegrationTest {

    static final String SUCCESS = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

    private String token;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void user() {
        token = login(gateway(), sandbox());
    }

    private String order(long fen) {
        return (String) newOrder(gateway(), token, fen).get("out_trade_no");
    }

    private static String post(String xml) {
        return post(xml, MediaType.TEXT_XML);
    }

    private static String post(String xml, MediaType type) {
        return gateway().post().uri("/api/v1/pay/notify").contentType(type).bodyValue(xml)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
    }

    private static void assertFail(String reply) {
        assertThat(reply).startsWith("<xml><return_code><![CDATA[FAIL]]></return_code>");
    }

    @Test
    void aSignedNotifyMovesTheOrderToSuccessOnceAndIsAcknowledgedExactly() {
        String no = order(25);
        String tid = transactionId();
        assertThat(post(signed(paidNotify(no, 25, tid), SignType.MD5))).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(tid);
        assertThat(orderColumn(no, "bank_type")).isEqualTo("CMC");
        assertThat(orderColumn(no, "time_end")).isEqualTo("20261124120000");
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);
    }

    @Test
    void fiftyConcurrentCopiesOfOneNotifyApplyOnceAndAreAllAcknowledged() {
        String no = order(50);
        String xml = signed(paidNotify(no, 50, transactionId()), SignType.MD5);
        String versionBefore = orderColumn(no, "version");
        WebClient client = WebClient.create(world().gatewayUrl());
        List<ResponseEntity<String>> replies = Flux.range(0, 50)
                .flatMap(i -> client.post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML).bodyValue(xml)
                        .retrieve().toEntity(String.class), 50)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(replies).hasSize(50).allSatisfy(r -> {
            assertThat(r.getStatusCode().value()).isEqualTo(200);
            assertThat(r.getBody()).isEqualTo(SUCCESS);
        });
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(Integer.parseInt(orderColumn(no, "version"))).isEqualTo(Integer.parseInt(versionBefore) + 1);
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);
        assertThat(notifyCount(no, "DUPLICATE")).isEqualTo(49);
    }

    @Test
    void aPaymentWeChatReportsForAnOrderClosedHereIsAppliedAcknowledgedAndFlagged() {
        String no = order(29);
        PayFixtures.forceTradeState(no, "CLOSED");
        String tid = transactionId();

        assertThat(post(signed(paidNotify(no, 29, tid), SignType.MD5))).isEqualTo(SUCCESS);

        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(tid);
        assertThat(orderColumn(no, "paid_after_close")).isEqualTo("1");
        assertThat(notifyCount(no, "APPLIED_AFTER_CLOSE")).isEqualTo(1);
        // WeChat's retry of it is a plain duplicate
        assertThat(post(signed(paidNotify(no, 29, tid), SignType.MD5))).isEqualTo(SUCCESS);
        assertThat(notifyCount(no, "DUPLICATE")).isEqualTo(1);
    }

    @Test
    void aNormalPaymentIsNotFlagged() {
        String no = order(30);
        assertThat(post(signed(paidNotify(no, 30, transactionId()), SignType.MD5))).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "paid_after_close")).isEqualTo("0");
    }

    @Test
    void aNotifyForAFailedOrderIsRecordedForAHumanAndNotApplied() {
        String no = order(31);
        PayFixtures.forceTradeState(no, "PAYERROR");
        assertFail(post(signed(paidNotify(no, 31, transactionId()), SignType.MD5)));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("PAYERROR");
        assertThat(notifyCount(no, "STATE_CONFLICT")).isEqualTo(1);
    }

    @Test
    void aDuplicateNotifyIsAcknowledgedButAppliedOnce() {
        String no = order(26);
        String xml = signed(paidNotify(no, 26, transactionId()), SignType.MD5);
        assertThat(post(xml)).isEqualTo(SUCCESS);
        String updated = orderColumn(no, "updated_at");
        assertThat(post(xml)).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "updated_at")).isEqualTo(updated);
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);
        assertThat(notifyCount(no, "DUPLICATE")).isEqualTo(1);
    }

    @Test
    void aNotifyForTheSameOrderWithAnotherTransactionIdIsNotApplied() {
        String no = order(27);
        String first = transactionId();
        assertThat(post(signed(paidNotify(no, 27, first), SignType.MD5))).isEqualTo(SUCCESS);
        assertFail(post(signed(paidNotify(no, 27, transactionId()), SignType.MD5)));
        assertThat(orderColumn(no, "transaction_id")).isEqualTo(first);
        assertThat(notifyCount(no, "STATE_CONFLICT")).isEqualTo(1);
    }

    @Test
    void hmacSignedNotifyWithExtraFieldsIsVerifiedOverEveryField() {
        String no = order(28);
        PayFixtures.forceColumn(no, "sign_type", "HMAC_SHA256");
        Map<String, String> fields = paidNotify(no, 28, transactionId());
        fields.put("coupon_fee", "0");
        fields.put("device_info", "WEB");
        fields.put("attach", "anything");
        assertThat(post(signed(fields, SignType.HMAC_SHA256), MediaType.TEXT_PLAIN)).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
    }

    @Test
    void anHmacSignedNotifyWithoutSignTypeIsVerifiedAsHmacLikeWeChatSendsIt() {
        String no = order(36);
        PayFixtures.forceColumn(no, "sign_type", "HMAC_SHA256");  // as a merchant signing with HMAC-SHA256 placed it
        Map<String, String> fields = paidNotify(no, 36, transactionId());
        fields.put("sign", new PaySigner(TestWorld.API_KEY).sign(fields, SignType.HMAC_SHA256));
        String xml = new PayXml().write(fields);
        assertThat(xml).doesNotContain("sign_type");
        // a 64-digit sign that is not the HMAC of these fields is still a forgery
        assertFail(post(xml.replaceAll("<sign>[0-9A-F]+</sign>", "<sign>" + "A".repeat(64) + "</sign>")));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(post(xml)).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);
    }

    @Test
    void aForgedSignIsCountedAndRefusedButNotStoredAndTheOrderStaysUnpaid() {
        double before = unverified("BAD_SIGN");
        String no = order(29);
        String xml = signed(paidNotify(no, 29, transactionId()), SignType.MD5);
        String forged = xml.replaceAll("<sign>[0-9A-F]+</sign>", "<sign>" + "0".repeat(32) + "</sign>");
        assertThat(forged).isNotEqualTo(xml);
        assertFail(post(forged));
        // a field changed after signing is a forgery too
        assertFail(post(xml.replace("<bank_type>CMC</bank_type>", "<bank_type>ICBC</bank_type>")));
        // and so is a notify without any sign
        assertFail(post(xml.replaceAll("<sign>[0-9A-F]+</sign>", "")));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(unverified("BAD_SIGN") - before).isEqualTo(3);
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no)).isZero();
    }

    @Test
    void aSignedNotifyWithTheWrongAmountIsRecordedAndRefused() {
        String no = order(30);
        Map<String, String> fields = paidNotify(no, 1, transactionId());
        assertFail(post(signed(fields, SignType.MD5)));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(orderColumn(no, "transaction_id")).isNull();
        assertThat(notifyCount(no, "AMOUNT_MISMATCH")).isEqualTo(1);
    }

    @Test
    void aSignedNotifyForAnUnknownOrderIsRecordedAndRefused() {
        String no = "20261124000000UnknownOrder000001";
        assertFail(post(signed(paidNotify(no, 1, transactionId()), SignType.MD5)));
        assertThat(notifyCount(no, "UNKNOWN_ORDER")).isEqualTo(1);
        assertThat(orderColumn(no, "trade_state")).isNull();
    }

    @Test
    void aNotifyForAnotherMerchantIsRefused() {
        String no = order(31);
        Map<String, String> fields = paidNotify(no, 31, transactionId());
        fields.put("mch_id", "1230000109");
        assertFail(post(signed(fields, SignType.MD5)));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(notifyCount(no, "WRONG_MERCHANT")).isEqualTo(1);
    }

    @Test
    void xxeAndBillionLaughsPayloadsAreRejectedWithoutTouchingTheOrder() {
        String no = order(32);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><out_trade_no>" + no + "</out_trade_no><bank_type>&x;</bank_type><return_code>SUCCESS</return_code></xml>";
        StringBuilder lol = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        lol.append("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">");
        for (int i = 2; i <= 9; i++) {
            lol.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        lol.append("]><xml><out_trade_no>").append(no).append("</out_trade_no><attach>&lol9;</attach></xml>");
        double before = unverified("MALFORMED");
        assertFail(post(xxe));
        assertFail(post(lol.toString()));
        assertFail(post("this is not xml"));
        assertFail(post("<xml><a><b>nested</b></a></xml>"));
        assertThat(unverified("MALFORMED") - before).isEqualTo(4);
        assertThat(PayFixtures.verdictOfBodyContaining("file:///etc/passwd")).as("never stored").isNull();
        assertThat(PayFixtures.verdictOfBodyContaining("lolz")).isNull();
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(orderColumn(no, "version")).isEqualTo("1");
    }

    @Test
    void aSignedPaymentFailureIsAcknowledgedButChangesNothing() {
        String no = order(33);
        Map<String, String> fields = paidNotify(no, 33, transactionId());
        fields.put("result_code", "FAIL");
        fields.put("err_code", "NOTENOUGH");
        assertThat(post(signed(fields, SignType.MD5))).isEqualTo(SUCCESS);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(notifyCount(no, "PAY_FAILED")).isEqualTo(1);
    }


    private static void faults(Map<String, Object> switches) {
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON).bodyValue(switches)
                .exchange().expectStatus().isOk();
    }

    @AfterEach
    void noFaults() {
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    @Test
    void weChatSendingShuffledCopiesOfItsNotifyStillPaysTheOrderOnce() {
        faults(Map.of("notifyCopies", 10, "reorderNotifies", true, "reorderWindowMs", 100));
        Map<String, Object> order = newOrder(gateway(), token, 34);
        String no = (String) order.get("out_trade_no");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        PayFixtures.await(Duration.ofSeconds(15), "the notify copies to be acknowledged",
                () -> Boolean.TRUE.equals(sandboxOrder(sandbox(), no).get("notifyAcknowledged")));
        PayFixtures.await(Duration.ofSeconds(5), "all ten copies to be recorded",
                () -> PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ?", no) >= 10);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("SUCCESS");
        assertThat(orderColumn(no, "version")).isEqualTo("2");
        assertThat(notifyCount(no, "APPLIED")).isEqualTo(1);
    }

    @Test
    void weChatNotifiesWithABadSignAreRefusedEveryTimeAndNeverPayTheOrder() {
        faults(Map.of("badSignNotifies", true));
        Map<String, Object> order = newOrder(gateway(), token, 35);
        String no = (String) order.get("out_trade_no");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        PayFixtures.await(Duration.ofSeconds(10), "several refused notify attempts",
                () -> ((List<?>) sandboxOrder(sandbox(), no).get("notifyAttempts")).size() >= 3);
        assertThat(sandboxOrder(sandbox(), no).get("notifyAcknowledged")).isEqualTo(false);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(notifyCount(no, "APPLIED")).isZero();
    }

    @Test
    void anOversizedNotifyIsRefusedWithoutReadingItAllAndCounted() {
        double before = unverified("TOO_LARGE");
        String huge = "<xml><attach>" + "a".repeat(70_000) + "</attach></xml>";
        String reply = gateway().post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML).bodyValue(huge)
                .exchange().expectStatus().isEqualTo(413).expectBody(String.class).returnResult().getResponseBody();
        assertFail(reply);
        assertThat(unverified("TOO_LARGE") - before).isEqualTo(1);
    }

    @Test
    void aFloodOfUnsignedNotifiesLeavesTheDatabaseAsItWas() {
        long rows = PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE ? IS NOT NULL", "all");
        String no = order(37);
        List<String> junk = Flux.range(0, 300).map(i -> i % 3 == 0 ? "junk " + i
                : i % 3 == 1 ? "<xml><out_trade_no>" + no + "</out_trade_no><sign>" + "0".repeat(32) + "</sign></xml>"
                : "<xml><attach>" + "x".repeat(1000 + i) + "</attach></xml>").collectList().block();
        Flux.fromIterable(junk).flatMap(body -> WebClient.create(world().gatewayUrl()).post().uri("/api/v1/pay/notify")
                .contentType(MediaType.TEXT_XML).bodyValue(body).retrieve().toBodilessEntity(), 16)
                .blockLast(Duration.ofSeconds(60));
        assertThat(PayFixtures.count("SELECT COUNT(*) FROM pay_notify WHERE ? IS NOT NULL", "all")).isEqualTo(rows);
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
    }

    @Test
    void aNotifySignedWithAnotherSignTypeThanTheOrdersIsRefused() {
        String no = order(38);  // the shared gateway signs its orders with MD5
        assertFail(post(signed(paidNotify(no, 38, transactionId()), SignType.HMAC_SHA256)));
        assertThat(orderColumn(no, "trade_state")).isEqualTo("NOTPAY");
        assertThat(notifyCount(no, "WRONG_SIGN_TYPE")).isEqualTo(1);
        assertThat(post(signed(paidNotify(no, 38, transactionId()), SignType.MD5))).isEqualTo(SUCCESS);
    }

    private double unverified(String verdict) {
        var counter = meters.find("wxgate.pay.notify.unverified").tag("verdict", verdict).counter();
        return counter == null ? 0 : counter.count();
    }
}
