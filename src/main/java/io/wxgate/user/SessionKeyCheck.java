package io.wxgate.user;

import io.wxgate.accesstoken.AccessTokenService;
import io.wxgate.accesstoken.WeChatApiClient;
import io.wxgate.login.Session;
import io.wxgate.wechat.SessionKeySignature;
import io.wxgate.web.GatewayException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * WeChat's {@code GET /wxa/checksession}: whether a session's session_key is still the user's current one. Asked when
 * open data fails to decrypt, since a session_key WeChat has replaced (the user logged in elsewhere) fails every time.
 */
@Component
public class SessionKeyCheck {

    private static final Logger log = LoggerFactory.getLogger(SessionKeyCheck.class);
    static final int INVALID_SIGNATURE = 87009;

    private final AccessTokenService accessTokens;
    private final WeChatApiClient wechat;

    public SessionKeyCheck(AccessTokenService accessTokens, WeChatApiClient wechat) {
        this.accessTokens = accessTokens;
        this.wechat = wechat;
    }

    /**
     * {@code false} only when WeChat says the session_key is no longer valid (87009); {@code true} when it is, and
     * when WeChat cannot say (unreachable, other errcodes): then the data was simply bad.
     */
    public Mono<Boolean> stillValid(Session session) {
        Map<String, String> query = Map.of("openid", session.openid(),
                "signature", SessionKeySignature.of(session.sessionKey()), "sig_method", "hmac_sha256");
        return accessTokens.call(token -> wechat.get("/wxa/checksession", token, query))
                .map(reply -> WeChatApiClient.errcode(reply) != INVALID_SIGNATURE)
                .onErrorResume(e -> {
                    log.warn("checksession could not be asked ({})", e.getClass().getSimpleName());
                    return Mono.just(true);
                });
    }

    /** WeChat no longer accepts the session's session_key: the session is ended and the user must log in again. */
    public static final class SessionKeyExpired extends GatewayException {
        public SessionKeyExpired() {
            super(HttpStatus.UNAUTHORIZED, "session_key_expired", 2,
                    "WeChat no longer accepts this login's session_key; call wx.login and log in again");
        }
    }
}
