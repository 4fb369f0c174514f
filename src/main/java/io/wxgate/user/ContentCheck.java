package io.wxgate.user;

import io.wxgate.accesstoken.AccessTokenService;
import io.wxgate.accesstoken.WeChatApiClient;
import io.wxgate.login.WechatFailed;
import io.wxgate.login.WechatUnavailable;
import io.wxgate.web.GatewayException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** WeChat's {@code POST /wxa/msg_sec_check} (version 2) for text a user wants shown to others. */
@Component
public class ContentCheck {

    private static final Logger log = LoggerFactory.getLogger(ContentCheck.class);
    /** msg_sec_check's scene for profile text (1 资料). */
    static final int SCENE_PROFILE = 1;

    private final AccessTokenService accessTokens;
    private final WeChatApiClient wechat;

    public ContentCheck(AccessTokenService accessTokens, WeChatApiClient wechat) {
        this.accessTokens = accessTokens;
        this.wechat = wechat;
    }

    /** WeChat's {@code result.suggest} for this text by this user: pass, review or risky. */
    public Mono<String> suggest(String openid, String content, int scene) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", content);
        body.put("version", 2);
        body.put("scene", scene);
        body.put("openid", openid);
        return accessTokens.call(token -> wechat.post("/wxa/msg_sec_check", token, body))
                .map(reply -> {
                    int errcode = WeChatApiClient.errcode(reply);
                    if (errcode == 87014) {
                        return "risky"; // version 1's way of saying so
                    }
                    if (errcode != 0) {
                        log.warn("msg_sec_check refused: errcode={}", errcode);
                        throw errcode == -1 ? WechatUnavailable.busy() : new WechatFailed("WeChat refused msg_sec_check with errcode " + errcode);
                    }
                    JsonNode suggest = reply.path("result").path("suggest");
                    if (!suggest.isString()) {
                        throw new WechatFailed("WeChat answered msg_sec_check without result.suggest");
                    }
                    return suggest.asString();
                });
    }

    /** WeChat's content check did not pass the text: nothing was stored. */
    public static final class TextRefused extends GatewayException {
        public TextRefused(String what, String suggest) {
            super(HttpStatus.UNPROCESSABLE_CONTENT, "content_refused", 3,
                    what + " was refused by WeChat's content check (suggest: " + suggest + "); choose another");
        }
    }
}
