package io.wxgate.user;

import io.wxgate.overload.GateSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.login.MiniappProperties;
import io.wxgate.wechat.UserDataCipher;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Open-data decryption against WeChat's own published demo vector, and every way it can be broken. */
class OpenDataTest {

    // WeChat's official "WXBizDataCrypt" demo (open-ability/signature docs, demo.py / demo.java)
    static final String DEMO_APPID = "wx4f4bc4dec97d474b";
    static final String DEMO_SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ==";
    static final String DEMO_OPENID = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
    static final String DEMO_IV = "r7BXXKkLb8qrSNn05n0qiA==";
    static final String DEMO_ENCRYPTED_DATA = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZM"
            + "QmRzooG2xrDcvSnxIMXFufNstNGTyaGS"
            + "9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+"
            + "3hVbJSRgv+4lGOETKUQz6OYStslQ142d"
            + "NCuabNPGBzlooOmB231qMM85d2/fV6Ch"
            + "evvXvQP8Hkue1poOFtnEtpyxVLW1zAo6"
            + "/1Xx1COxFvrc2d7UL/lmHInNlxuacJXw"
            + "u0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn"
            + "/Hz7saL8xz+W//FRAUid1OksQaQx4CMs"
            + "8LOddcQhULW4ucetDf96JcR3g0gfRK4P"
            + "C7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB"
            + "6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns"
            + "/8wR2SiRS7MNACwTyrGvt9ts8p12PKFd"
            + "lqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYV"
            + "oKlaRv85IfVunYzO0IKXsyl7JCUjCpoG"
            + "20f0a04COwfneQAGGwd5oa+T8yO5hzuy"
            + "Db/XcxxmK01EpqOyuxINew==";

    // the rawData signature example from the same WeChat docs page
    static final String DOC_RAW_DATA = "{\"nickName\":\"Band\",\"gender\":1,\"language\":\"zh_CN\",\"city\":\"Guangzhou\","
            + "\"province\":\"Guangdong\",\"country\":\"CN\",\"avatarUrl\":\"http://wx.qlogo.cn/mmopen/vi_32/"
            + "1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0\"}";
    static final String DOC_SESSION_KEY = "HyVFkGl5F5OQWJZZaNzBBg==";
    static final String DOC_SIGNATURE = "75e81ceda165f4ffa64f4068af58c64b8f54b88c";

    // a minute after WeChat sealed its demo vector, so that its watermark counts as recent
    static final Clock DEMO_CLOCK = Clock.fixed(Instant.ofEpochSecond(1477314187L + 60), ZoneOffset.UTC);

    private final OpenData demoApp = openDataFor(DEMO_APPID);

    static OpenData openDataFor(String appid) {
        return new OpenData(JsonMapper.builder().build(),
                new MiniappProperties(appid, "secret", URI.create("http://127.0.0.1:1"), Duration.ofSeconds(1), Duration.ofSeconds(1), MiniappProperties.Breaker.DEFAULTS, GateSettings.DEFAULTS),
                OpenDataProperties.DEFAULTS, DEMO_CLOCK);
    }

    @Test
    void wechatDemoVectorDecryptsToBand() {
        OpenData.UserInfo info = demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, DEMO_IV);

        assertThat(info.nickName()).isEqualTo("Band");
        assertThat(info.openId()).isEqualTo(DEMO_OPENID);
        assertThat(info.gender()).isEqualTo(1);
        assertThat(info.language()).isEqualTo("zh_CN");
        assertThat(info.city()).isEqualTo("Guangzhou");
        assertThat(info.province()).isEqualTo("Guangdong");
        assertThat(info.country()).isEqualTo("CN");
        assertThat(info.avatarUrl()).startsWith("http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4");
        assertThat(info.watermark().appid()).isEqualTo(DEMO_APPID);
        assertThat(info.watermark().timestamp()).isEqualTo(1477314187L);
    }

    @Test
    void demoVectorPlaintextIsExactlyWhatWechatPublished() {
        String plain = UserDataCipher.decrypt(DEMO_SESSION_KEY, DEMO_ENCRYPTED_DATA, DEMO_IV);

        assertThat(plain).startsWith("{\"openId\":\"oGZUI0egBJY1zhBYw2KhdUfwVJJE\",\"nickName\":\"Band\",")
                .endsWith("\"watermark\":{\"timestamp\":1477314187,\"appid\":\"wx4f4bc4dec97d474b\"}}");
    }

    @Test
    void dataSealedForAnotherAppIsRejectedByWatermark() {
        OpenData ourApp = openDataFor("wx5ca7b1e1d1b0a001");

        assertThatThrownBy(() -> ourApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, DEMO_IV))
                .isInstanceOf(UserDataRejected.class)
                .extracting("reason").asString().contains("another mini-program");
    }

    @Test
    void dataOfAnotherUserIsRejected() {
        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, "oSomebodyElse000000000000000", DEMO_ENCRYPTED_DATA, DEMO_IV))
                .isInstanceOf(UserDataRejected.class)
                .extracting("reason").asString().contains("another user");
    }

    @Test
    void tamperedCiphertextIsRejected() {
        byte[] data = Base64.getDecoder().decode(DEMO_ENCRYPTED_DATA);
        data[3] ^= 0x40;
        String tampered = Base64.getEncoder().encodeToString(data);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, tampered, DEMO_IV))
                .isInstanceOf(UserDataRejected.class);
    }

    @Test
    void tamperedLastBlockBreaksThePaddingAndIsRejected() {
        byte[] data = Base64.getDecoder().decode(DEMO_ENCRYPTED_DATA);
        // the demo ends in seven 0x07 pad bytes; flipping the matching byte of the previous block makes the pad 0x00
        data[data.length - 17] ^= 0x07;
        String tampered = Base64.getEncoder().encodeToString(data);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, tampered, DEMO_IV))
                .isInstanceOf(UserDataRejected.class)
                .extracting("reason").asString().contains("padding");
    }

    @Test
    void badPaddingIsRejected() throws Exception {
        byte[] key = Base64.getDecoder().decode(DEMO_SESSION_KEY);
        byte[] iv = Base64.getDecoder().decode(DEMO_IV);
        byte[] plain = Arrays.copyOf("{\"watermark\":{}}".getBytes(StandardCharsets.UTF_8), 32);
        Arrays.fill(plain, 16, 32, (byte) 0x11); // 17 is never a valid PKCS#7 pad for 16-byte blocks
        Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        String encrypted = Base64.getEncoder().encodeToString(cipher.doFinal(plain));

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, encrypted, DEMO_IV))
                .isInstanceOf(UserDataRejected.class)
                .extracting("reason").asString().contains("padding");
    }

    @Test
    void wrongSessionKeyIsRejected() {
        String otherKey = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> demoApp.userInfo(otherKey, DEMO_OPENID, DEMO_ENCRYPTED_DATA, DEMO_IV))
                .isInstanceOf(UserDataRejected.class);
    }

    @Test
    void badBase64InDataIvOrKeyIsRejectedNamingTheField() {
        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, "not*base64!", DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("encryptedData");
        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, "r7BX%%%%"))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("iv");
        assertThatThrownBy(() -> demoApp.userInfo("tiih*Nczf5v6AKRyjwEUhQ==", DEMO_OPENID, DEMO_ENCRYPTED_DATA, DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("session_key");
    }

    @Test
    void ivOfWrongLengthIsRejected() {
        String shortIv = Base64.getEncoder().encodeToString(new byte[8]);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, shortIv))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("iv must decode to 16 bytes");
    }

    @Test
    void ciphertextThatIsNotWholeBlocksIsRejected() {
        String partial = Base64.getEncoder().encodeToString(Arrays.copyOf(Base64.getDecoder().decode(DEMO_ENCRYPTED_DATA), 40));

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, partial, DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("blocks");
    }

    @Test
    void plaintextThatIsNotJsonIsRejected() {
        String encrypted = UserDataCipher.encrypt(DEMO_SESSION_KEY, "nickName=Band", DEMO_IV);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, encrypted, DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("JSON");
    }

    @Test
    void dataWithoutWatermarkIsRejected() {
        String encrypted = UserDataCipher.encrypt(DEMO_SESSION_KEY, "{\"nickName\":\"Band\"}", DEMO_IV);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, encrypted, DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("no complete watermark");
    }

    @Test
    void phoneNumberIsReadAndItsWatermarkChecked() {
        String phoneJson = "{\"phoneNumber\":\"+86 13800138000\",\"purePhoneNumber\":\"13800138000\",\"countryCode\":\"86\","
                + "\"watermark\":{\"appid\":\"" + DEMO_APPID + "\",\"timestamp\":1477314187}}";
        String encrypted = UserDataCipher.encrypt(DEMO_SESSION_KEY, phoneJson, DEMO_IV);

        OpenData.PhoneInfo phone = demoApp.phoneNumber(DEMO_SESSION_KEY, encrypted, DEMO_IV);

        assertThat(phone.phoneNumber()).isEqualTo("+86 13800138000");
        assertThat(phone.purePhoneNumber()).isEqualTo("13800138000");
        assertThat(phone.countryCode()).isEqualTo("86");
        assertThatThrownBy(() -> openDataFor("wx5ca7b1e1d1b0a001").phoneNumber(DEMO_SESSION_KEY, encrypted, DEMO_IV))
                .isInstanceOf(UserDataRejected.class);
    }

    @Test
    void nicknameLongerThanTheColumnIsRejected() {
        String json = "{\"openId\":\"" + DEMO_OPENID + "\",\"nickName\":\"" + "😀".repeat(101)
                + "\",\"watermark\":{\"appid\":\"" + DEMO_APPID + "\",\"timestamp\":1477314187}}";
        String encrypted = UserDataCipher.encrypt(DEMO_SESSION_KEY, json, DEMO_IV);

        assertThatThrownBy(() -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, encrypted, DEMO_IV))
                .isInstanceOf(UserDataRejected.class).extracting("reason").asString().contains("nickName");
        String fits = UserDataCipher.encrypt(DEMO_SESSION_KEY, json.replace("😀".repeat(101), "😀".repeat(100)), DEMO_IV);
        assertThat(demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, fits, DEMO_IV).nickName()).hasSize(200);
    }

    @Test
    void rawDataSignatureMatchesWechatDocsExampleAndNothingElse() {
        assertThat(UserDataCipher.rawDataSignature(DOC_RAW_DATA, DOC_SESSION_KEY)).isEqualTo(DOC_SIGNATURE);
        assertThat(UserDataCipher.rawDataSignatureMatches(DOC_RAW_DATA, DOC_SIGNATURE, DOC_SESSION_KEY)).isTrue();
        assertThat(UserDataCipher.rawDataSignatureMatches(DOC_RAW_DATA.replace("Band", "Bond"), DOC_SIGNATURE, DOC_SESSION_KEY)).isFalse();
        assertThat(UserDataCipher.rawDataSignatureMatches(DOC_RAW_DATA, DOC_SIGNATURE, DEMO_SESSION_KEY)).isFalse();
        assertThat(UserDataCipher.rawDataSignatureMatches(DOC_RAW_DATA, "0" + DOC_SIGNATURE.substring(1), DOC_SESSION_KEY)).isFalse();
    }

    @Test
    void everyReasonToRefuseGetsTheSameAnswer() {
        String otherIv = Base64.getEncoder().encodeToString(new byte[16]);
        byte[] flipped = Base64.getDecoder().decode(DEMO_ENCRYPTED_DATA);
        flipped[flipped.length - 17] ^= 0x07;
        java.util.List<org.junit.jupiter.api.function.Executable> refusals = java.util.List.of(
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, "not*base64!", DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, "AAAA"),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, Base64.getEncoder().encodeToString(flipped), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, DEMO_ENCRYPTED_DATA, otherIv),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed("nickName=Band"), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed(userJson(DEMO_OPENID, "wx0000000000000000", 1477314187L)), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed(userJson(DEMO_OPENID, DEMO_APPID, 1477314187L - 3600)), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed(userJson(DEMO_OPENID, DEMO_APPID, 1477314187L + 3600)), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed(userJson(null, DEMO_APPID, 1477314187L)), DEMO_IV),
                () -> demoApp.userInfo(DEMO_SESSION_KEY, "oSomebodyElse000000000000000", DEMO_ENCRYPTED_DATA, DEMO_IV),
                () -> demoApp.phoneNumber(DEMO_SESSION_KEY, sealed("{\"phoneNumber\":\"+86 1380013800x\",\"purePhoneNumber\":\"1380013800x\","
                        + "\"countryCode\":\"86\",\"watermark\":{\"appid\":\"" + DEMO_APPID + "\",\"timestamp\":1477314187}}"), DEMO_IV));

        java.util.Set<String> answers = new java.util.HashSet<>();
        java.util.Set<String> reasons = new java.util.HashSet<>();
        for (org.junit.jupiter.api.function.Executable refusal : refusals) {
            UserDataRejected rejected = org.junit.jupiter.api.Assertions.assertThrows(UserDataRejected.class, refusal);
            answers.add(rejected.status() + " " + rejected.code() + " " + rejected.seedCode() + " " + rejected.getMessage());
            reasons.add(rejected.reason());
        }

        assertThat(answers).containsExactly("400 BAD_REQUEST bad_user_data 3 " + UserDataRejected.DETAIL);
        // nine different reasons on the server's side (old and future watermarks share one, as do a missing and a
        // foreign openId), one answer on the client's
        assertThat(reasons).hasSize(9);
    }

    @Test
    void twoThousandTamperedCiphertextsOfThePaddingOracleWalkAreAllRefusedAlike() {
        // the classic attack on CBC: vary one byte of the block before the last and watch for "good padding"
        byte[] data = Base64.getDecoder().decode(DEMO_ENCRYPTED_DATA);
        java.util.Set<String> answers = new java.util.HashSet<>();
        java.util.Set<String> reasons = new java.util.HashSet<>();
        int tries = 0;
        for (int position = 1; position <= 8; position++) {
            for (int guess = 1; guess < 256; guess++) {
                byte[] tampered = data.clone();
                tampered[data.length - 16 - position] ^= (byte) guess;
                String forged = Base64.getEncoder().encodeToString(tampered);
                UserDataRejected rejected = org.junit.jupiter.api.Assertions.assertThrows(UserDataRejected.class,
                        () -> demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, forged, DEMO_IV));
                answers.add(rejected.getMessage());
                reasons.add(rejected.reason().startsWith("encryptedData has invalid padding") ? "padding" : "after padding");
                tries++;
            }
        }

        assertThat(tries).isEqualTo(2040);
        assertThat(reasons).containsExactlyInAnyOrder("padding", "after padding"); // an oracle had something to tell...
        assertThat(answers).containsExactly(UserDataRejected.DETAIL); // ...and tells nothing
    }

    @Test
    void countryCodeMayArriveAsANumber() {
        String phoneJson = "{\"phoneNumber\":\"13800138000\",\"purePhoneNumber\":\"13800138000\",\"countryCode\":86,"
                + "\"watermark\":{\"appid\":\"" + DEMO_APPID + "\",\"timestamp\":1477314187}}";

        OpenData.PhoneInfo phone = demoApp.phoneNumber(DEMO_SESSION_KEY, sealed(phoneJson), DEMO_IV);

        assertThat(phone.countryCode()).isEqualTo("86");
    }

    @Test
    void unionIdInTheSealedDataIsNotRead() {
        String json = userJson(DEMO_OPENID, DEMO_APPID, 1477314187L).replace("{", "{\"unionId\":\"oForgedUnion\",");

        OpenData.UserInfo info = demoApp.userInfo(DEMO_SESSION_KEY, DEMO_OPENID, sealed(json), DEMO_IV);

        assertThat(info.toString()).doesNotContain("oForgedUnion");
        assertThat(info.nickName()).isEqualTo("Band");
    }

    private static String sealed(String plain) {
        return UserDataCipher.encrypt(DEMO_SESSION_KEY, plain, DEMO_IV);
    }

    private static String userJson(String openId, String appid, long timestamp) {
        return "{" + (openId == null ? "" : "\"openId\":\"" + openId + "\",") + "\"nickName\":\"Band\","
                + "\"watermark\":{\"appid\":\"" + appid + "\",\"timestamp\":" + timestamp + "}}";
    }
}
