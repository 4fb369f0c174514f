package io.wxgate.login;

/** What jscode2session hands back for a valid code; the session_key stays on the server. */
public record WechatSession(String openid, String unionid, String sessionKey) {

    @Override
    public String toString() {
        return "WechatSession[openid=" + OpenidMask.mask(openid) + "]";
    }
}
