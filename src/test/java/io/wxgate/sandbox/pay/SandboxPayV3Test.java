package io.wxgate.sandbox.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxgate.testing.OwnSandbox;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PayV3Certificates;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Keyring;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Transaction;
import io.wxgate.wechat.PayV3Verifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox's WeChat Pay APIv3 over real HTTP/1.1, as a merchant that signs its own requests with
 * {@link PayV3Signer} sees it: its rules for orders, its refusals of bad input, the signatures on every reply, and
 * its encrypted notifies. Starts its own sandbox (its fault switches touch no other test) and a notify receiver.
 */
class SandboxPayV3Test {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PayV3Signer MERCHANT = new PayV3Signer(PayV3TestKeys.MERCHANT.getPrivate());
    private static final PayV3Verifier WECHATPAY = new PayV3Verifier(PayV3Keyring.of(
            Map.of(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID, PayV3TestKeys.WECHATPAY.getPublic())));
    private static final PayV3Cipher CIPHER = new PayV3Cipher(PayV3TestKeys.API_V3_KEY);
    private static final String OPENID = "oSandboxPayV3TestOpenid00001";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static OwnSandbox ownSandbox;
    private static String sandboxUrl;
    private static DisposableServer receiver;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> seenPerBody = new ConcurrentHashMap<>();
    private static final AtomicInteger counter = new AtomicInteger();

    /** A notify as the merchant's endpoint received it: its path, headers (names as sent) and raw body. */
    record Received(String path, Map<String, String> headers, byte[] body) {
        PayV3Verifier.SignedHeaders signedHeaders() {
            return new PayV3Verifier.SignedHeaders(headers.get("Wechatpay-Timestamp"), headers.get("Wechatpay-Nonce"),
                    headers.get("Wechatpay-Signature"), headers.get("Wechatpay-Serial"));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A reply as the merchant's HTTP client received it. */
    record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        PayV3Verifier.SignedHeaders signedHeaders() {
            return new PayV3Verifier.SignedHeaders(header("Wechatpay-Timestamp"), header("Wechatpay-Nonce"),
                    header("Wechatpay-Signature"), header("Wechatpay-Serial"));
        }
    }

    /**
     * The merchant's v3 notify endpoint, by path: "/ok" answers 204; "/status-once" answers 500 to a notify body's
     * first delivery, 200 after; "/verify" answers 204 only to a notify whose signature verifies, 401 otherwise.
     */
    @BeforeAll
    static void start() {
        receiver = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/{mode}", (request, response) -> request.receive().aggregate().asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .flatMap(body -> {
                            Map<String, String> headers = new LinkedHashMap<>();
                            request.requestHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
                            Received notify = new Received(request.uri(), headers, body);
                            received.add(notify);
                            int seen = seenPerBody.computeIfAbsent(notify.text(), k -> new AtomicInteger()).incrementAndGet();
                            int status = switch (request.param("mode")) {
                                case "status-once" -> seen == 1 ? 500 : 200;
                                case "verify" -> WECHATPAY.verify(notify.signedHeaders(), body, Instant.now()).isEmpty() ? 204 : 401;
                                default -> 204;
                            };
                            return response.status(status).send().then();
                        })))
                .bindNow();
        ownSandbox = OwnSandbox.start();
        sandboxUrl = ownSandbox.url();
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
    void resetFaults() throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/faults")).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    // ---- placing, querying, closing ----

    @Test
    void prepayAnswersAPrepayIdInAReplySignedWithTheWeChatPayPublicKey() {
        Reply reply = post("/v3/pay/transactions/jsapi", order(newOutTradeNo(), 100, "ok"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("prepay_id").asString()).matches("wx\\d{14}\\d{20}");
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertSignedForPublicKeyMode(reply);
    }

    @Test
    void theSameOutTradeNoWithTheSameTermsGetsTheSamePrepayIdAndWithOtherTermsIsRefused() {
        String outTradeNo = newOutTradeNo();
        String first = post("/v3/pay/transactions/jsapi", order(outTradeNo, 100, "ok")).json().get("prepay_id").asString();

        Reply again = post("/v3/pay/transactions/jsapi", order(outTradeNo, 100, "ok"));
        Reply otherAmount = post("/v3/pay/transactions/jsapi", order(outTradeNo, 101, "ok"));

        assertThat(again.json().get("prepay_id").asString()).isEqualTo(first);
        assertError(otherAmount, 400, "INVALID_REQUEST");
        assertThat(otherAmount.json().get("message").asString()).contains("商户订单号重复");
        assertThat(query(outTradeNo).json().get("amount").get("total").asLong()).isEqualTo(100);
    }

    @Test
    void anOrdersTimeExpireEndsItsPrepayAndAPastOneIsRefused() {
        String outTradeNo = newOutTradeNo();
        String soon = java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(8)).plusSeconds(62)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        String body = order(outTradeNo, 100, "ok").replace("\"notify_url\"", "\"time_expire\":\"" + soon + "\",\"notify_url\"");
        Reply placed = post("/v3/pay/transactions/jsapi", body);
        assertThat(placed.status()).isEqualTo(200);
        // the prepay lives until time_expire, not the whole prepay TTL
        assertThat(Instant.parse(inspectField(outTradeNo, "prepayExpiresAt")))
                .isBefore(Instant.now().plusSeconds(70));

        String past = java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(8)).minusMinutes(1)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        Reply refused = post("/v3/pay/transactions/jsapi", order(newOutTradeNo(), 100, "ok")
                .replace("\"notify_url\"", "\"time_expire\":\"" + past + "\",\"notify_url\""));
        assertError(refused, 400, "PARAM_ERROR");
    }

    private static String inspectField(String outTradeNo, String field) {
        try {
            return inspect(outTradeNo).get(field).asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnpaidOrderQueriesAsNotpayWithoutPaymentFields() {
        String outTradeNo = newOutTradeNo();
        post("/v3/pay/transactions/jsapi", order(outTradeNo, 7, "ok"));

        Reply reply = query(outTradeNo);

        assertThat(reply.status()).isEqualTo(200);
        assertSignedForPublicKeyMode(reply);
        PayV3Transaction transaction = JSON.readValue(reply.body(), PayV3Transaction.class);
        assertThat(transaction.tradeState()).isEqualTo("NOTPAY");
        assertThat(transaction.outTradeNo()).isEqualTo(outTradeNo);
        assertThat(transaction.mchid()).isEqualTo(TestWorld.MCH_ID);
        assertThat(transaction.appid()).isEqualTo(TestWorld.APPID);
        assertThat(transaction.tradeType()).isEqualTo("JSAPI");
        assertThat(transaction.transactionId()).isNull();
        assertThat(transaction.successTime()).isNull();
        assertThat(transaction.amount().total()).isEqualTo(7);
    }

    @Test
    void anUnknownOrderIs404OrderNotExist() {
        Reply reply = query("NEVER" + newOutTradeNo());

        assertError(reply, 404, "ORDER_NOT_EXIST");
        assertSignedForPublicKeyMode(reply);
    }

    @Test
    void aFreshOrderClosesAtOnceWithASigned204AndCanNeitherBePaidNorPlacedAgain() {
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 100, "ok")).json().get("prepay_id").asString();

        Reply closed = close(outTradeNo);

        assertThat(closed.status()).isEqualTo(204);
        assertThat(closed.body()).isEmpty();
        assertSignedForPublicKeyMode(closed);
        assertThat(query(outTradeNo).json().get("trade_state").asString()).isEqualTo("CLOSED");
        assertThat(requestPayment(prepayId, "RSA").statusCode()).isEqualTo(409);
        assertError(post("/v3/pay/transactions/jsapi", order(outTradeNo, 100, "ok")), 400, "ORDER_CLOSED");
        assertThat(close(outTradeNo).status()).as("closing again, as at WeChat").isEqualTo(204);
    }

    @Test
    void thePhonePaysWithAnRsaPaySignAndTheOrderQueriesAsPaid() {
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 250, "ok")).json().get("prepay_id").asString();

        HttpResponse<String> paid = requestPayment(prepayId, "RSA");

        assertThat(paid.statusCode()).isEqualTo(200);
        assertThat(paid.body()).contains("requestPayment:ok");
        PayV3Transaction transaction = JSON.readValue(query(outTradeNo).body(), PayV3Transaction.class);
        assertThat(transaction.tradeState()).isEqualTo("SUCCESS");
        assertThat(transaction.tradeStateDesc()).isEqualTo("支付成功");
        assertThat(transaction.transactionId()).matches("4200000\\d{21}");
        assertThat(transaction.bankType()).isEqualTo("OTHERS");
        assertThat(transaction.payer().openid()).isEqualTo(OPENID);
        assertThat(transaction.amount()).isEqualTo(new PayV3Transaction.Amount(250L, 250L, "CNY", "CNY"));
        assertThat(transaction.successTime()).endsWith("+08:00");
        assertThat(OffsetDateTime.parse(transaction.successTime()).toInstant())
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertError(post("/v3/pay/transactions/jsapi", order(outTradeNo, 250, "ok")), 400, "ORDERPAID");
        assertError(close(outTradeNo), 400, "ORDERPAID");
    }

    @Test
    void aWrongRsaPaySignPaysNothing() throws Exception {
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 100, "ok")).json().get("prepay_id").asString();
        PayV3Signer stranger = new PayV3Signer(PayV3TestKeys.rsa().getPrivate());
        String timeStamp = Long.toString(Instant.now().getEpochSecond());
        String pkg = "prepay_id=" + prepayId;

        HttpResponse<String> refused = phone(Map.of("timeStamp", timeStamp, "nonceStr", "n0nce", "package", pkg,
                "signType", "RSA", "paySign", stranger.paySign(TestWorld.APPID, timeStamp, "n0nce", pkg)));
        HttpResponse<String> md5ForRsa = requestPayment(prepayId, "MD5");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("paySign");
        assertThat(md5ForRsa.statusCode()).isEqualTo(400);
        assertThat(md5ForRsa.body()).contains("APIv3 order");
        assertThat(query(outTradeNo).json().get("trade_state").asString()).isEqualTo("NOTPAY");
    }

    // ---- notifies ----

    @Test
    void thePaymentNotifyIsSignedEncryptedJsonThatDecryptsToTheTransaction() throws Exception {
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 321, "verify")).json().get("prepay_id").asString();

        requestPayment(prepayId, "RSA");

        Received notify = awaitNotify(outTradeNo);
        assertThat(notify.headers()).containsKeys("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature",
                "Wechatpay-Serial");
        assertThat(notify.headers().get("Content-Type")).startsWith("application/json");
        assertThat(notify.headers().get("Wechatpay-Serial")).isEqualTo(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        assertThat(WECHATPAY.verify(notify.signedHeaders(), notify.body(), Instant.now())).isEmpty();
        PayV3Notification envelope = JSON.readValue(notify.body(), PayV3Notification.class);
        assertThat(envelope.eventType()).isEqualTo("TRANSACTION.SUCCESS");
        assertThat(envelope.resourceType()).isEqualTo("encrypt-resource");
        assertThat(envelope.summary()).isEqualTo("支付成功");
        assertThat(envelope.id()).isNotBlank();
        assertThat(envelope.createTime()).endsWith("+08:00");
        PayV3Notification.Resource resource = envelope.resource();
        assertThat(resource.algorithm()).isEqualTo("AEAD_AES_256_GCM");
        assertThat(resource.associatedData()).isEqualTo("transaction");
        assertThat(resource.originalType()).isEqualTo("transaction");
        assertThat(resource.nonce()).hasSize(12);
        PayV3Transaction transaction = JSON.readValue(decrypt(resource), PayV3Transaction.class);
        assertThat(transaction.outTradeNo()).isEqualTo(outTradeNo);
        assertThat(transaction.tradeState()).isEqualTo("SUCCESS");
        assertThat(transaction.amount().total()).isEqualTo(321);
        assertThat(transaction.payer().openid()).isEqualTo(OPENID);
        assertThat(transaction.transactionId()).isEqualTo(query(outTradeNo).json().get("transaction_id").asString());
        await().atMost(Duration.ofSeconds(10)).until(() -> inspect(outTradeNo).get("notifyAcknowledged").asBoolean());
        assertThat(inspect(outTradeNo).get("notifyAttempts")).hasSize(1);
    }

    @Test
    void aNotifyAnsweredWithAnErrorStatusIsRetriedUntilA2xx() throws Exception {
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 5, "status-once")).json().get("prepay_id").asString();

        requestPayment(prepayId, "RSA");

        await().atMost(Duration.ofSeconds(10)).until(() -> inspect(outTradeNo).get("notifyAcknowledged").asBoolean());
        JsonNode attempts = inspect(outTradeNo).get("notifyAttempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("status").asInt()).isEqualTo(500);
        assertThat(attempts.get(1).get("status").asInt()).isEqualTo(200);
    }

    @Test
    void withBadSignNotifiesOnAVerifyingMerchantRefusesEveryNotifyAndWeChatKeepsRetrying() throws Exception {
        setFaults("{\"badSignNotifies\":true}");
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 5, "verify")).json().get("prepay_id").asString();

        requestPayment(prepayId, "RSA");

        await().atMost(Duration.ofSeconds(10)).until(() -> inspect(outTradeNo).get("notifyAttempts").size() >= 3);
        JsonNode view = inspect(outTradeNo);
        assertThat(view.get("notifyAcknowledged").asBoolean()).isFalse();
        view.get("notifyAttempts").forEach(attempt -> assertThat(attempt.get("status").asInt()).isEqualTo(401));
    }

    @Test
    void notifyCopiesDeliverTheSameNotifySeveralTimes() throws Exception {
        setFaults("{\"notifyCopies\":3}");
        String outTradeNo = newOutTradeNo();
        String prepayId = post("/v3/pay/transactions/jsapi", order(outTradeNo, 5, "ok")).json().get("prepay_id").asString();

        requestPayment(prepayId, "RSA");

        await().atMost(Duration.ofSeconds(10)).until(() -> notifiesOf(outTradeNo).size() == 3);
        assertThat(notifiesOf(outTradeNo).stream().map(Received::text).distinct()).hasSize(1);
    }

    @Test
    void systemErrorRateAnswersASigned500SystemError() throws Exception {
        setFaults("{\"systemErrorRate\":1.0}");

        Reply reply = post("/v3/pay/transactions/jsapi", order(newOutTradeNo(), 1, "ok"));

        assertError(reply, 500, "SYSTEM_ERROR");
        assertSignedForPublicKeyMode(reply);
    }

    // ---- bad requests ----

    @Test
    void aRequestWithoutAuthorizationIs401SignError() {
        String body = order(newOutTradeNo(), 1, "ok");
        Reply reply = send("POST", "/v3/pay/transactions/jsapi", body, null);

        assertError(reply, 401, "SIGN_ERROR");
        assertSignedForPublicKeyMode(reply);
    }

    @Test
    void aForgedSignatureIs401SignError() {
        String path = "/v3/pay/transactions/jsapi";
        String body = order(newOutTradeNo(), 1, "ok");
        String forged = new PayV3Signer(PayV3TestKeys.rsa().getPrivate()).authorization(TestWorld.MCH_ID,
                PayV3TestKeys.MERCHANT_SERIAL_NO, "POST", path, body, Instant.now().getEpochSecond(), "f0rged");

        assertError(send("POST", path, body, forged), 401, "SIGN_ERROR");
        assertError(send("POST", path, body, "WECHATPAY2-SHA256-RSA2048 mchid=\"" + TestWorld.MCH_ID + "\""), 401, "SIGN_ERROR");
    }

    @Test
    void aBodyChangedAfterSigningIs401SignError() {
        String path = "/v3/pay/transactions/jsapi";
        String signedBody = order(newOutTradeNo(), 1, "ok");
        String auth = authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "POST", path, signedBody,
                Instant.now().getEpochSecond());

        assertError(send("POST", path, signedBody.replace("\"total\":1", "\"total\":2"), auth), 401, "SIGN_ERROR");
    }

    @Test
    void aWrongSerialIs401SignError() {
        String path = "/v3/pay/transactions/jsapi";
        String body = order(newOutTradeNo(), 1, "ok");
        String auth = authorization(TestWorld.MCH_ID, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", "POST", path, body,
                Instant.now().getEpochSecond());

        Reply reply = send("POST", path, body, auth);

        assertError(reply, 401, "SIGN_ERROR");
        assertThat(reply.json().get("message").asString()).contains("证书序列号");
    }

    @Test
    void aTimestampFiveMinutesOrMoreAwayIs401SignError() {
        String path = "/v3/pay/transactions/jsapi";
        String body = order(newOutTradeNo(), 1, "ok");
        long now = Instant.now().getEpochSecond();

        assertError(send("POST", path, body, authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "POST",
                path, body, now - 600)), 401, "SIGN_ERROR");
        assertError(send("POST", path, body, authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "POST",
                path, body, now + 600)), 401, "SIGN_ERROR");
        assertThat(send("POST", path, body, authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "POST",
                path, body, now - 60)).status()).as("a minute's skew is fine").isEqualTo(200);
    }

    @Test
    void anUnknownMchidIs400ParamError() {
        String path = "/v3/pay/transactions/jsapi";
        String body = order(newOutTradeNo(), 1, "ok").replace(TestWorld.MCH_ID, "1999999999");

        Reply reply = send("POST", path, body, authorization("1999999999", PayV3TestKeys.MERCHANT_SERIAL_NO, "POST",
                path, body, Instant.now().getEpochSecond()));

        assertError(reply, 400, "PARAM_ERROR");
        assertSignedForPublicKeyMode(reply);
    }

    @Test
    void malformedJsonMissingFieldsAndForeignIdsAre400() {
        assertError(post("/v3/pay/transactions/jsapi", "{\"appid\":"), 400, "PARAM_ERROR");
        assertError(post("/v3/pay/transactions/jsapi", ""), 400, "PARAM_ERROR");
        assertError(post("/v3/pay/transactions/jsapi", "[1,2]"), 400, "PARAM_ERROR");
        Reply noPayer = post("/v3/pay/transactions/jsapi",
                order(newOutTradeNo(), 1, "ok").replace(",\"payer\":{\"openid\":\"" + OPENID + "\"}", ""));
        assertError(noPayer, 400, "PARAM_ERROR");
        assertThat(noPayer.json().get("message").asString()).contains("/body/payer/openid");
        assertError(post("/v3/pay/transactions/jsapi", order(newOutTradeNo(), 0, "ok")), 400, "PARAM_ERROR");
        assertError(post("/v3/pay/transactions/jsapi",
                order(newOutTradeNo(), 1, "ok").replace("\"mchid\":\"" + TestWorld.MCH_ID, "\"mchid\":\"1900000001")), 400, "PARAM_ERROR");
        assertError(post("/v3/pay/transactions/jsapi",
                order(newOutTradeNo(), 1, "ok").replace(TestWorld.APPID, TestWorld.OTHER_APPID)), 400, "APPID_MCHID_NOT_MATCH");
        assertError(get("/v3/pay/transactions/out-trade-no/X1"), 400, "PARAM_ERROR");
        assertError(post("/v3/pay/transactions/out-trade-no/X1/close", "{}"), 400, "PARAM_ERROR");
    }

    // ---- keys and certificates ----

    @Test
    void aPublicKeyMerchantHasNoPlatformCertificates() {
        Reply reply = get("/v3/certificates?algorithm_type=RSA");

        assertError(reply, 404, "RESOURCE_NOT_EXISTS");
        assertSignedForPublicKeyMode(reply);
    }

    @Test
    void aCertificateMerchantGetsThePlatformCertificateEncryptedAndRepliesNamingItsSerial() throws Exception {
        String path = "/v3/certificates?algorithm_type=RSA";
        Reply reply = send("GET", path, "", authorization(TestWorld.CERTIFICATE_MCH_ID,
                PayV3TestKeys.MERCHANT_SERIAL_NO, "GET", path, "", Instant.now().getEpochSecond()));

        assertThat(reply.status()).isEqualTo(200);
        PayV3Certificates.Certificate listed = JSON.readValue(reply.body(), PayV3Certificates.class).data().get(0);
        assertThat(listed.encryptCertificate().associatedData()).isEqualTo("certificate");
        assertThat(listed.encryptCertificate().nonce()).hasSize(12);
        X509Certificate certificate = PayV3Keys.certificate(CIPHER.decrypt(listed.encryptCertificate().associatedData(),
                listed.encryptCertificate().nonce(), listed.encryptCertificate().ciphertext()));
        assertThat(certificate.getPublicKey()).isEqualTo(PayV3TestKeys.WECHATPAY.getPublic());
        assertThat(listed.serialNo()).isEqualTo(PayV3Keys.serialOf(certificate)).matches("[1-9A-F][0-9A-F]*");
        assertThat(OffsetDateTime.parse(listed.expireTime()).toInstant()).isAfter(Instant.now().plus(Duration.ofDays(365)));
        assertThat(reply.header("Wechatpay-Serial")).isEqualTo(listed.serialNo());
        PayV3Verifier byCertificate = new PayV3Verifier(PayV3Keyring.of(Map.of(listed.serialNo(), certificate.getPublicKey())));
        assertThat(byCertificate.verify(reply.signedHeaders(), reply.body(), Instant.now())).isEmpty();

        JsonNode keys = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/pay/v3/keys")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(keys.get("publicKeyId").asString()).isEqualTo(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        assertThat(PayV3Keys.publicKey(keys.get("publicKey").asString())).isEqualTo(PayV3TestKeys.WECHATPAY.getPublic());
        assertThat(keys.get("certificateSerialNo").asString()).isEqualTo(listed.serialNo());
        assertThat(keys.toString()).doesNotContain("PRIVATE");
    }

    // ---- helpers ----

    private static String newOutTradeNo() {
        return "V3T" + System.currentTimeMillis() + "n" + counter.incrementAndGet();
    }

    private String order(String outTradeNo, long total, String notifyMode) {
        return "{\"appid\":\"" + TestWorld.APPID + "\",\"mchid\":\"" + TestWorld.MCH_ID + "\",\"description\":\"沙箱-v3测试\","
                + "\"out_trade_no\":\"" + outTradeNo + "\",\"notify_url\":\"http://127.0.0.1:" + receiver.port() + "/"
                + notifyMode + "\",\"amount\":{\"total\":" + total + ",\"currency\":\"CNY\"},\"payer\":{\"openid\":\""
                + OPENID + "\"}}";
    }

    private static String authorization(String mchid, String serial, String method, String pathAndQuery, String body,
                                        long timestamp) {
        return MERCHANT.authorization(mchid, serial, method, pathAndQuery, body, timestamp, "n" + counter.incrementAndGet());
    }

    private static Reply post(String path, String body) {
        return send("POST", path, body, authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "POST", path,
                body, Instant.now().getEpochSecond()));
    }

    private static Reply get(String pathAndQuery) {
        return send("GET", pathAndQuery, "", authorization(TestWorld.MCH_ID, PayV3TestKeys.MERCHANT_SERIAL_NO, "GET",
                pathAndQuery, "", Instant.now().getEpochSecond()));
    }

    private static Reply query(String outTradeNo) {
        return get("/v3/pay/transactions/out-trade-no/" + outTradeNo + "?mchid=" + TestWorld.MCH_ID);
    }

    private static Reply close(String outTradeNo) {
        return post("/v3/pay/transactions/out-trade-no/" + outTradeNo + "/close", "{\"mchid\":\"" + TestWorld.MCH_ID + "\"}");
    }

    private static Reply send(String method, String pathAndQuery, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandboxUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (!body.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> requestPayment(String prepayId, String signType) {
        String timeStamp = Long.toString(Instant.now().getEpochSecond());
        String nonceStr = "phone" + counter.incrementAndGet();
        String pkg = "prepay_id=" + prepayId;
        return phone(Map.of("timeStamp", timeStamp, "nonceStr", nonceStr, "package", pkg, "signType", signType,
                "paySign", MERCHANT.paySign(TestWorld.APPID, timeStamp, nonceStr, pkg)));
    }

    private static HttpResponse<String> phone(Map<String, String> call) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/wx/requestPayment"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(call))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode inspect(String outTradeNo) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/pay/orders/" + outTradeNo))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static void setFaults(String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static List<Received> notifiesOf(String outTradeNo) {
        return received.stream().filter(r -> {
            PayV3Notification n = JSON.readValue(r.body(), PayV3Notification.class);
            return decrypt(n.resource()).contains("\"" + outTradeNo + "\"");
        }).toList();
    }

    private static Received awaitNotify(String outTradeNo) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !notifiesOf(outTradeNo).isEmpty());
        return notifiesOf(outTradeNo).get(0);
    }

    private static String decrypt(PayV3Notification.Resource resource) {
        try {
            return CIPHER.decrypt(resource.associatedData(), resource.nonce(), resource.ciphertext());
        } catch (PayV3Cipher.Undecryptable e) {
            throw new AssertionError("the notify's resource does not decrypt with the merchant's APIv3 key", e);
        }
    }

    private static void assertError(Reply reply, int status, String code) {
        assertThat(reply.status()).as("status of %s", new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.json().get("code").asString()).isEqualTo(code);
        assertThat(reply.json().get("message").asString()).isNotBlank();
    }

    private static void assertSignedForPublicKeyMode(Reply reply) {
        assertThat(reply.header("Wechatpay-Serial")).isEqualTo(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        assertThat(reply.header("Wechatpay-Nonce")).isNotBlank();
        assertThat(WECHATPAY.verify(reply.signedHeaders(), reply.body(), Instant.now())).isEmpty();
    }
}
