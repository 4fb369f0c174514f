package io.wxgate.bench;

import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import io.wxgate.wechat.UserDataCipher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU cost of the per-request wire work on an event-loop thread: parsing and verifying a notify,
 * building and signing a unifiedorder, decrypting getUserInfo's open data. Results: load-tests/RESULTS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WireCodecBenchmark {

    private static final String KEY = "sandboxtestkey0123456789abcdefgh";
    private static final String SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ==";
    private static final String IV = "r7BXXKkLb8qrSNn05n0qiA==";

    private final PayXml xml = new PayXml();
    private final PaySigner signer = new PaySigner(KEY);
    private String notifyMd5;
    private String notifyHmac;
    private Map<String, String> unifiedOrder;
    private String encryptedUserInfo;

    @Setup
    public void setUp() {
        notifyMd5 = signedNotify(SignType.MD5);
        notifyHmac = signedNotify(SignType.HMAC_SHA256);
        unifiedOrder = new LinkedHashMap<>();
        unifiedOrder.put("appid", "wx5ca7b1e1d1b0a001");
        unifiedOrder.put("mch_id", "1900000109");
        unifiedOrder.put("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        unifiedOrder.put("body", "wxgate 商品");
        unifiedOrder.put("out_trade_no", "WXG20261124A1B2C3D4E5F6G7H8J9K0");
        unifiedOrder.put("total_fee", "1");
        unifiedOrder.put("spbill_create_ip", "203.0.113.7");
        unifiedOrder.put("notify_url", "https://pay.example.com/api/v1/pay/notify");
        unifiedOrder.put("trade_type", "JSAPI");
        unifiedOrder.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        String userInfo = "{\"openId\":\"oGZUI0egBJY1zhBYw2KhdUfwVJJE\",\"nickName\":\"沙盒用户🐼\",\"gender\":1,"
                + "\"language\":\"zh_CN\",\"city\":\"Guangzhou\",\"province\":\"Guangdong\",\"country\":\"China\","
                + "\"avatarUrl\":\"https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox/132\","
                + "\"watermark\":{\"timestamp\":1477314187,\"appid\":\"wx4f4bc4dec97d474b\"}}";
        encryptedUserInfo = UserDataCipher.encrypt(SESSION_KEY, userInfo, IV);
    }

    private String signedNotify(SignType type) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", "wx5ca7b1e1d1b0a001");
        f.put("bank_type", "OTHERS");
        f.put("cash_fee", "1");
        f.put("fee_type", "CNY");
        f.put("is_subscribe", "N");
        f.put("mch_id", "1900000109");
        f.put("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c");
        f.put("openid", "oUpF8uMEb4qRXf22hE3X68TekukE");
        f.put("out_trade_no", "WXG20261124A1B2C3D4E5F6G7H8J9K0");
        f.put("result_code", "SUCCESS");
        f.put("return_code", "SUCCESS");
        if (type == SignType.HMAC_SHA256) {
            f.put("sign_type", type.wireName());
        }
        f.put("time_end", "20261124101010");
        f.put("total_fee", "1");
        f.put("trade_type", "JSAPI");
        f.put("transaction_id", "4200000000202611240000000001");
        f.put("sign", signer.sign(f, type));
        return xml.write(f);
    }

    @Benchmark
    public boolean notifyParseAndVerifyMd5() {
        return signer.verify(xml.read(notifyMd5), SignType.MD5);
    }

    @Benchmark
    public boolean notifyParseAndVerifyHmacSha256() {
        return signer.verify(xml.read(notifyHmac), SignType.HMAC_SHA256);
    }

    @Benchmark
    public String unifiedOrderSignAndWrite() {
        Map<String, String> f = new LinkedHashMap<>(unifiedOrder);
        f.put("sign", signer.sign(f, SignType.MD5));
        return xml.write(f);
    }

    @Benchmark
    public String userInfoDecrypt() {
        return UserDataCipher.decrypt(SESSION_KEY, encryptedUserInfo, IV);
    }
}
