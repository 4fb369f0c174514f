package io.wxgate.login;

/** Shortens an openid for log lines: enough to correlate, never the whole identifier. */
public final class OpenidMask {

    private OpenidMask() {
    }

    public static String mask(String openid) {
        if (openid == null || openid.length() < 8) {
            return "***";
        }
        return openid.substring(0, 4) + "***" + openid.substring(openid.length() - 2);
    }
}
