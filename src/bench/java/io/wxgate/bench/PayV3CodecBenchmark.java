package io.wxgate.bench;

import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Envelope;
import io.wxgate.wechat.PayV3Keyring;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * CPU cost of WeChat Pay APIv3's crypto on an event-loop thread: signing a request (RSA-2048 private key), verifying
 * a reply (public key), decrypting a notify's resource (AES-256-GCM), and a whole notify opened by the envelope.
 * Keys are made at set-up. Results: load-tests/RESULTS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PayV3CodecBenchmark {

    private static final String API_V3_KEY = "benchmarkApiV3Key0123456789abcde";
    private static final String KEY_ID = "PUB_KEY_ID_0100000000000000000000000000";
    private static final String TRANSACTION = "{\"appid\":\"wx5ca7b1e1d1b0a001\",\"mchid\":\"1900000109\","
            + "\"out_trade_no\":\"20261124101010A1B2C3D4E5F6G7H8J9\",\"transaction_id\":\"4200000000202611240000000001\","
            + "\"trade_type\":\"JSAPI\",\"trade_state\":\"SUCCESS\",\"trade_state_desc\":\"支付成功\",\"bank_type\":\"OTHERS\","
            + "\"success_time\":\"2026-11-24T10:10:10+08:00\",\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"},"
            + "\"amount\":{\"total\":1,\"payer_total\":1,\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}";

    private PayV3Signer merchant;
    private PayV3Verifier verifier;
    private PayV3Cipher cipher;
    private PayV3Envelope envelope;
    private String prepayBody;
    private byte[] reply;
    private PayV3Verifier.SignedHeaders replyHeaders;
    private String sealed;
    private byte[] notify;
    private PayV3Verifier.SignedHeaders notifyHeaders;

    @Setup
    public void setUp() {
        KeyPair merchantKeys = PayV3TestKeys.rsa();
        KeyPair wechatKeys = PayV3TestKeys.rsa();
        merchant = new PayV3Signer(merchantKeys.getPrivate());
        PayV3Signer wechat = new PayV3Signer(wechatKeys.getPrivate());
        verifier = new PayV3Verifier(PayV3Keyring.of(Map.of(KEY_ID, wechatKeys.getPublic())));
        cipher = new PayV3Cipher(API_V3_KEY);
        JsonMapper json = JsonMapper.builder().build();
        envelope = new PayV3Envelope(verifier, cipher, "wx5ca7b1e1d1b0a001", "1900000109", json);
        prepayBody = "{\"appid\":\"wx5ca7b1e1d1b0a001\",\"mchid\":\"1900000109\",\"description\":\"wxgate order\","
                + "\"out_trade_no\":\"20261124101010A1B2C3D4E5F6G7H8J9\",\"time_expire\":\"2026-11-24T12:10:10+08:00\","
                + "\"notify_url\":\"https://pay.example.com/api/v1/pay/notify/v3\",\"amount\":{\"total\":1,"
                + "\"currency\":\"CNY\"},\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"}}";
        reply = "{\"prepay_id\":\"wx201410272009395522657a690389285100\"}".getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(Instant.now().getEpochSecond());
        replyHeaders = new PayV3Verifier.SignedHeaders(ts, "replynonce", wechat.sign(PayV3Signer.message(ts,
                "replynonce", new String(reply, StandardCharsets.UTF_8))), KEY_ID);
        sealed = cipher.encrypt("transaction", "benchnonce12", TRANSACTION);
        String body = json.writeValueAsString(new PayV3Notification("EV-1", "2026-11-24T10:10:11+08:00",
                PayV3Notification.TRANSACTION_SUCCESS, PayV3Notification.ENCRYPT_RESOURCE,
                new PayV3Notification.Resource(PayV3Cipher.ALGORITHM, sealed, "transaction", "transaction",
                        "benchnonce12"), "支付成功"));
        notify = body.getBytes(StandardCharsets.UTF_8);
        notifyHeaders = new PayV3Verifier.SignedHeaders(ts, "notifynonce", wechat.sign(PayV3Signer.message(ts,
                "notifynonce", body)), KEY_ID);
    }

    @Benchmark
    public String requestAuthorizationRsaSign() {
        return merchant.authorization("1900000109", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "POST",
                "/v3/pay/transactions/jsapi", prepayBody, 1764000000L, "593BEC0C930BF1AFEB40B4A08C8FB242");
    }

    @Benchmark
    public Object replyRsaVerify() {
        return verifier.verify(replyHeaders, reply, Instant.now());
    }

    @Benchmark
    public String notifyResourceGcmDecrypt() throws PayV3Cipher.Undecryptable {
        return cipher.decrypt("transaction", "benchnonce12", sealed);
    }

    @Benchmark
    public Object notifyOpenWhole() {
        return envelope.open(notifyHeaders, notify, Instant.now());
    }
}
