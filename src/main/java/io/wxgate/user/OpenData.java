package io.wxgate.user;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.wxgate.login.MiniappProperties;
import io.wxgate.wechat.UserDataCipher;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

/**
 * Opens mini-program open data (wx.getUserInfo, getPhoneNumber): decrypts it with the session_key,
 * reads the JSON and checks the watermark names this mini-program, and the openId, when present, this user.
 */
@Component
public class OpenData {

    private final ObjectReader userInfos;
    private final ObjectReader phoneInfos;
    private final String appid;

    public OpenData(ObjectMapper json, MiniappProperties miniapp) {
        // readers resolve their deserializers now, not under the lock Jackson takes on first use during a request
        this.userInfos = json.readerFor(UserInfo.class);
        this.phoneInfos = json.readerFor(PhoneInfo.class);
        this.appid = miniapp.appid();
    }

    /** The profile sealed in a wx.getUserInfo answer. */
    public UserInfo userInfo(String sessionKey, String openid, String encryptedData, String iv) {
        UserInfo info = open(sessionKey, encryptedData, iv, userInfos);
        checkWatermark(info.watermark());
        if (info.openId() != null && !info.openId().equals(openid)) {
            throw new WatermarkMismatch("the user data belongs to another user");
        }
        fits(info.nickName(), 100, "nickName");
        fits(info.avatarUrl(), 512, "avatarUrl");
        fits(info.language(), 16, "language");
        fits(info.city(), 64, "city");
        fits(info.province(), 64, "province");
        fits(info.country(), 64, "country");
        fits(info.unionId(), 64, "unionId");
        if (info.gender() != null && (info.gender() < 0 || info.gender() > 2)) {
            throw new BadUserData("gender must be 0, 1 or 2");
        }
        return info;
    }

    /** The phone number sealed in a getPhoneNumber answer. */
    public PhoneInfo phoneNumber(String sessionKey, String encryptedData, String iv) {
        PhoneInfo phone = open(sessionKey, encryptedData, iv, phoneInfos);
        checkWatermark(phone.watermark());
        if (phone.phoneNumber() == null || phone.phoneNumber().isBlank()) {
            throw new BadUserData("the decrypted data carries no phoneNumber");
        }
        fits(phone.phoneNumber(), 32, "phoneNumber");
        fits(phone.purePhoneNumber(), 32, "purePhoneNumber");
        fits(phone.countryCode(), 8, "countryCode");
        return phone;
    }

    private static <T> T open(String sessionKey, String encryptedData, String iv, ObjectReader reader) {
        String plain;
        try {
            plain = UserDataCipher.decrypt(sessionKey, encryptedData, iv);
        } catch (UserDataCipher.BadUserData e) {
            throw new BadUserData(e.getMessage());
        }
        try {
            T value = reader.readValue(plain);
            if (value == null) {
                throw new BadUserData("the decrypted data is not a JSON object");
            }
            return value;
        } catch (JacksonException e) {
            throw new BadUserData("the decrypted data is not JSON of the expected shape");
        }
    }

    private void checkWatermark(Watermark watermark) {
        if (watermark == null || watermark.appid() == null) {
            throw new WatermarkMismatch("the decrypted data has no watermark");
        }
        if (!watermark.appid().equals(appid)) {
            throw new WatermarkMismatch("the decrypted data was sealed for another mini-program");
        }
    }

    // the limits are the wx_user column sizes, in characters as MariaDB counts them
    private static void fits(String value, int maxCharacters, String field) {
        if (value != null && value.codePointCount(0, value.length()) > maxCharacters) {
            throw new BadUserData(field + " is longer than " + maxCharacters + " characters");
        }
    }

    /** The plaintext of a wx.getUserInfo encryptedData. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UserInfo(String openId, String unionId, String nickName, Integer gender, String language,
                           String city, String province, String country, String avatarUrl, Watermark watermark) {
    }

    /** The plaintext of a getPhoneNumber encryptedData. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PhoneInfo(String phoneNumber, String purePhoneNumber, String countryCode, Watermark watermark) {
    }

    /** WeChat's seal on open data: which mini-program it was made for, and when. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Watermark(String appid, Long timestamp) {
    }
}
