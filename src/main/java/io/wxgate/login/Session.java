package io.wxgate.login;

/** A logged-in mini-program user as the gateway remembers them; the session_key never leaves the server. */
public record Session(String token, String openid, String unionid, String sessionKey) {

    @Override
    public String toString() {
        return "Session[openid=" + OpenidMask.mask(openid) + "]";
    }
}
