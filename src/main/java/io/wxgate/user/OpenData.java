package io.wxgate.user;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.wxgate.login.MiniappProperties;
import io.wxgate.wechat.UserDataCipher;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

/**
 * Opens mini-program open data (wx.getUserInfo, getPhoneNumber): decrypts it with the session_key, reads the
 * JSON, checks the watermark names this mini-program and is recent, and the openId names this user. AES-CBC
 * carries no integrity, so everything that can be checked is, and every failure is the one
 * {@link UserDataRejected}: a client learns that its data was refused, never which check refused it.
 */
@Component
public class OpenData {

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 -]{0,30}");

    private final ObjectReader userInfos;
    private final ObjectReader phoneInfos;
    private final String appid;
    private final OpenDataProperties limits;
    private final Clock clock;

    @Autowired
    public OpenData(ObjectMapper json, MiniappProperties miniapp, OpenDataProperties limits) {
        this(json, miniapp, limits, Clock.systemUTC());
    }

    OpenData(ObjectMapper json, MiniappProperties miniapp, OpenDataProperties limits, Clock clock) {
        // readers resolve their deserializers now, not under the lock Jackson takes on first use during a request
        this.userInfos = json.readerFor(UserInfo.class);
        this.phoneInfos = json.readerFor(PhoneInfo.class);
        this.appid = miniapp.appid();
        this.limits = limits;
        this.clock = clock;
    }

    /** The profile sealed in a wx.getUserInfo answer for this user, or {@link UserDataRejected}. */
    public UserInfo userInfo(String sessionKey, String openid, String encryptedData, String iv) {
        UserInfo info = open(sessionKey, encryptedData, iv, userInfos);
        checkWatermark(info.watermark());
        if (info.openId() == null || !info.openId().equals(openid)) {
            throw new UserDataRejected("openId is missing or names another user");
        }
        fits(info.nickName(), 100, "nickName");
        fits(info.avatarUrl(), 512, "avatarUrl");
        fits(info.language(), 16, "language");
        fits(info.city(), 64, "city");
        fits(info.province(), 64, "province");
        fits(info.country(), 64, "country");
        if (info.gender() != null && (info.gender() < 0 || info.gender() > 2)) {
            throw new UserDataRejected("gender is not 0, 1 or 2");
        }
        return info;
    }

    /** The phone number sealed in a getPhoneNumber answer, or {@link UserDataRejected}. */
    public PhoneInfo phoneNumber(String sessionKey, String encryptedData, String iv) {
        PhoneInfo phone = open(sessionKey, encryptedData, iv, phoneInfos);
        checkWatermark(phone.watermark());
        if (!wellFormed(phone)) {
            throw new UserDataRejected("the phone number is missing or malformed");
        }
        return phone;
    }

    /** WeChat's phone_info, from the encrypted flow or from getuserphonenumber: digits that agree with each other. */
    static boolean wellFormed(PhoneInfo phone) {
        return phone.phoneNumber() != null && PHONE.matcher(phone.phoneNumber()).matches()
                && phone.purePhoneNumber() != null && DIGITS.matcher(phone.purePhoneNumber()).matches()
                && phone.phoneNumber().replaceAll("[^0-9]", "").endsWith(phone.purePhoneNumber())
                && phone.countryCode() != null && DIGITS.matcher(phone.countryCode()).matches()
                && phone.countryCode().length() <= 8;
    }

    private static <T> T open(String sessionKey, String encryptedData, String iv, ObjectReader reader) {
        String plain;
        try {
            plain = UserDataCipher.decrypt(sessionKey, encryptedData, iv);
        } catch (UserDataCipher.BadUserData e) {
            throw new UserDataRejected(e.getMessage());
        }
        T value;
        try {
            value = reader.readValue(plain);
        } catch (JacksonException e) {
            throw new UserDataRejected("the decrypted data is not JSON of the expected shape");
        }
        if (value == null) {
            throw new UserDataRejected("the decrypted data is not a JSON object");
        }
        return value;
    }

    /** The watermark names this mini-program and was made recently. */
    void checkWatermark(Watermark watermark) {
        if (watermark == null || watermark.appid() == null || watermark.timestamp() == null) {
            throw new UserDataRejected("the decrypted data has no complete watermark");
        }
        if (!watermark.appid().equals(appid)) {
            throw new UserDataRejected("the decrypted data was sealed for another mini-program");
        }
        Instant sealedAt = Instant.ofEpochSecond(watermark.timestamp());
        Instant now = clock.instant();
        if (sealedAt.isBefore(now.minus(limits.watermarkMaxAge())) || sealedAt.isAfter(now.plus(limits.clockSkew()))) {
            throw new UserDataRejected("the watermark timestamp is not recent");
        }
    }

    // the limits are the wx_user column sizes, in characters as MariaDB counts them
    private static void fits(String value, int maxCharacters, String field) {
        if (value != null && value.codePointCount(0, value.length()) > maxCharacters) {
            throw new UserDataRejected(field + " is longer than " + maxCharacters + " characters");
        }
    }

    /**
     * The plaintext of a wx.getUserInfo encryptedData. Its unionId is deliberately not read: a unionid is taken
     * only from jscode2session, never from data a client hands in.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UserInfo(String openId, String nickName, Integer gender, String language,
                           String city, String province, String country, String avatarUrl, Watermark watermark) {
    }

    /** The plaintext of a getPhoneNumber encryptedData, and getuserphonenumber's phone_info. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PhoneInfo(String phoneNumber, String purePhoneNumber, String countryCode, Watermark watermark) {
    }

    /** WeChat's seal on open data: which mini-program it was made for, and when. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Watermark(String appid, Long timestamp) {
    }
}
