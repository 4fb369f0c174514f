package io.wxgate.user;

/** A user as the gateway has stored them, in WeChat's own camelCase names; no openid, no session_key. */
public record UserProfile(String nickName, String avatarUrl, Integer gender, String language, String city,
                          String province, String country, String phoneNumber, String purePhoneNumber,
                          String countryCode) {
}
