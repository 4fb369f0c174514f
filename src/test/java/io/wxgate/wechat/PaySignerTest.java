package io.wxgate.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaySignerTest {

    // WeChat Pay's published signing example (APIv2 "安全规范" page): fields, key and both signatures.
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";

    private static Map<String, String> example() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", "wxd930ea5d5a258f4f");
        f.put("mch_id", "10000100");
        f.put("device_info", "1000");
        f.put("body", "test");
        f.put("nonce_str", "ibuaiVcKdpRxkhJA");
        return f;
    }

    @Test
    void stringToSignIsAsciiSortedWithKeyLast() {
        assertThat(new PaySigner(KEY).stringToSign(example())).isEqualTo(
                "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
                        + "&key=192006250b4c09247ec02edce69f6a2d");
    }

    @Test
    void md5MatchesWeChatsPublishedExample() {
        assertThat(new PaySigner(KEY).sign(example(), SignType.MD5)).isEqualTo("9A0A8659F005D6984697E2CA0A9CF3B7");
    }

    @Test
    void hmacSha256MatchesWeChatsPublishedExample() {
        assertThat(new PaySigner(KEY).sign(example(), SignType.HMAC_SHA256))
                .isEqualTo("6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
    }

    @Test
    void emptyValuesAndTheSignFieldAreLeftOut() {
        Map<String, String> f = example();
        f.put("attach", "");
        f.put("sign", "WHATEVER");
        assertThat(new PaySigner(KEY).sign(f, SignType.MD5)).isEqualTo("9A0A8659F005D6984697E2CA0A9CF3B7");
    }

    @Test
    void verifyAcceptsTheRightSignAndRejectsATamperedField() {
        PaySigner signer = new PaySigner(KEY);
        Map<String, String> f = example();
        f.put("sign", signer.sign(f, SignType.HMAC_SHA256));
        assertThat(signer.verify(f, SignType.HMAC_SHA256)).isTrue();
        assertThat(signer.verify(f, SignType.MD5)).isFalse();
        f.put("body", "test2");
        assertThat(signer.verify(f, SignType.HMAC_SHA256)).isFalse();
    }

    @Test
    void aDifferentKeyGivesADifferentSign() {
        Map<String, String> f = example();
        f.put("sign", new PaySigner(KEY).sign(f, SignType.MD5));
        assertThat(new PaySigner("another-key-another-key-another-").verify(f, SignType.MD5)).isFalse();
    }
}
