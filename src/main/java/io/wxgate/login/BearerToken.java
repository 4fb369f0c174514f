package io.wxgate.login;

import java.util.Locale;

/** Reads the gateway token out of an {@code Authorization} header. */
public final class BearerToken {

    private static final String SCHEME = "bearer ";

    private BearerToken() {
    }

    /** The token after {@code Bearer }, or {@link MissingToken} when the header is absent or of another scheme. */
    public static String from(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            throw new MissingToken();
        }
        String token = authorization.substring(SCHEME.length()).trim();
        if (token.isEmpty()) {
            throw new MissingToken();
        }
        return token;
    }
}
