package io.wxgate.wechat;

import java.util.Optional;

/** The two APIv2 sign types, by the names WeChat puts in {@code sign_type} / {@code signType}. */
public enum SignType {
    MD5("MD5"),
    HMAC_SHA256("HMAC-SHA256");

    private final String wireName;

    SignType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** An absent or empty {@code sign_type} means MD5, as in WeChat's documentation. */
    public static Optional<SignType> fromWire(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of(MD5);
        }
        for (SignType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
