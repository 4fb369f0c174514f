package io.wxgate.wechat;

import java.util.Optional;

/**
 * How an order's messages are signed, by the names WeChat puts in {@code sign_type} / {@code signType}: the two
 * APIv2 types (the API key's MD5 or HMAC-SHA256), or APIv3's RSA (the merchant's private key, WeChat Pay's public
 * key). An order keeps its type for life, so a notify of the other API version is refused for it.
 */
public enum SignType {
    MD5("MD5"),
    HMAC_SHA256("HMAC-SHA256"),
    RSA("RSA");

    private final String wireName;

    SignType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** True for the APIv2 types, made and checked by {@link PaySigner}. */
    public boolean apiV2() {
        return this != RSA;
    }

    /** An APIv2 {@code sign_type}: absent or empty means MD5, as in WeChat's documentation; RSA is not one. */
    public static Optional<SignType> fromWire(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of(MD5);
        }
        for (SignType t : values()) {
            if (t.apiV2() && t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
