package io.wxgate.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/** The sandbox's world: which apps and merchants exist, how long codes live, how notifies are retried. */
@ConfigurationProperties("sandbox")
public record SandboxProperties(
        @DefaultValue List<App> apps,
        @DefaultValue List<Merchant> merchants,
        @DefaultValue("5m") Duration codeTtl,
        @DefaultValue @Name("notify") Notify notifyPolicy,
        @DefaultValue List<User> users,
        @DefaultValue Wechatpay wechatpay) {

    /**
     * A WeChat user known before any login, with the profile {@code wx.getUserInfo} reveals and the phone number
     * {@code getPhoneNumber} reveals. Users not listed here are made up on their first {@code wx.login}.
     */
    public record User(String appid, String openid, String unionid, String phoneNumber, Profile userInfo) {
    }

    /** What {@code wx.getUserInfo} returns about a user. */
    public record Profile(String nickName, String avatarUrl, Integer gender, String language, String city,
                          String province, String country) {
    }

    /** A mini-program registered at "WeChat". */
    public record App(String appid, String secret) {

        @Override
        public String toString() {
            return "App[appid=" + appid + "]";
        }
    }

    /**
     * A WeChat Pay merchant, bound to one appid. {@code apiKey} is its APIv2 key. For APIv3 it also has
     * {@code api-v3-key} (32 characters: encrypts notifies and certificates), {@code merchant-public-key} (PEM of the
     * public half of its {@code apiclient_key.pem}: verifies its requests' {@code Authorization} and RSA paySigns)
     * and {@code merchant-serial-no} (its merchant certificate's serial, which every {@code Authorization} must name).
     * {@code verification} is how the merchant verifies WeChat Pay: {@code public-key} (the default, as for every
     * merchant since late 2024: replies say {@code Wechatpay-Serial: PUB_KEY_ID_…}, {@code /v3/certificates} is 404)
     * or {@code certificate} (replies name the platform certificate's serial, {@code /v3/certificates} serves it).
     */
    public record Merchant(String mchId, String apiKey, String appid, String apiV3Key, String merchantPublicKey,
                           String merchantSerialNo, @DefaultValue("public-key") Verification verification) {

        /** Whether the merchant can call APIv3 at all. */
        public boolean apiV3() {
            return apiV3Key != null && merchantPublicKey != null && merchantSerialNo != null;
        }

        @Override
        public String toString() {
            return "Merchant[mchId=" + mchId + ", appid=" + appid + ", verification=" + verification + "]";
        }
    }

    /** How an APIv3 merchant verifies what WeChat Pay signs. */
    public enum Verification { PUBLIC_KEY, CERTIFICATE }

    /**
     * The sandbox's own WeChat Pay key pair, which signs every APIv3 reply and notify: {@code private-key} (PKCS#8
     * PEM) and {@code public-key-id} ({@code PUB_KEY_ID_…}). Both left out: a fresh pair and id are made at startup
     * (see {@code GET /sandbox/pay/v3/keys}). The platform certificate is always minted at startup over this key.
     */
    public record Wechatpay(String privateKey, String publicKeyId) {

        @Override
        public String toString() {
            return "Wechatpay[publicKeyId=" + publicKeyId + ", privateKey " + (privateKey == null ? "generated" : "hidden") + "]";
        }
    }

    /**
     * WeChat's notify retry schedule (15 s, 15 s, 30 s, 3 min, ... 6 h) and a factor that compresses it for tests:
     * with {@code time-scale: 0.001} the whole day of retries takes about 90 s.
     */
    public record Notify(@DefaultValue("1.0") double timeScale,
                         @DefaultValue({"0s", "15s", "15s", "30s", "3m", "10m", "20m", "30m", "30m", "30m", "60m", "3h", "3h", "3h", "6h", "6h"})
                         List<Duration> delays) {
    }

    public Optional<App> app(String appid) {
        return apps.stream().filter(a -> a.appid().equals(appid)).findFirst();
    }

    public Optional<Merchant> merchant(String mchId) {
        return merchants.stream().filter(m -> m.mchId().equals(mchId)).findFirst();
    }
}
