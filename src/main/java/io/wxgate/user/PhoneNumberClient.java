package io.wxgate.user;

import io.wxgate.accesstoken.AccessTokenErrors;
import io.wxgate.accesstoken.AccessTokenService;
import io.wxgate.accesstoken.WeChatApiClient;
import io.wxgate.login.MiniappProperties;
import io.wxgate.login.WechatFailed;
import io.wxgate.login.WechatUnavailable;
import io.wxgate.web.GatewayException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

/**
 * WeChat's {@code POST /wxa/business/getuserphonenumber}: the one-time code of a getPhoneNumber button for the
 * user's phone number, made with the shared access_token.
 */
@Component
public class PhoneNumberClient {

    private static final Logger log = LoggerFactory.getLogger(PhoneNumberClient.class);

    private final AccessTokenService accessTokens;
    private final WeChatApiClient wechat;
    private final ObjectReader phoneInfos;
    private final String appid;

    public PhoneNumberClient(AccessTokenService accessTokens, WeChatApiClient wechat, ObjectMapper json, MiniappProperties miniapp) {
        this.accessTokens = accessTokens;
        this.wechat = wechat;
        this.phoneInfos = json.readerFor(OpenData.PhoneInfo.class);
        this.appid = miniapp.appid();
    }

    /** The phone number behind the code, checked; or one of {@link PhoneCodeErrors}'s types. */
    public Mono<OpenData.PhoneInfo> exchange(String code) {
        return accessTokens.call(token -> wechat.post("/wxa/business/getuserphonenumber", token, Map.of("code", code)))
                .map(this::interpret);
    }

    OpenData.PhoneInfo interpret(JsonNode reply) {
        int errcode = WeChatApiClient.errcode(reply);
        if (errcode != 0) {
            log.warn("getuserphonenumber refused: errcode={}", errcode);
            throw switch (errcode) {
                case 40029 -> new PhoneCodeErrors.InvalidCode();
                case 45011 -> new PhoneCodeErrors.RateLimited();
                case 40013 -> new AccessTokenErrors.Misconfigured("WeChat does not know this appid (errcode 40013)");
                case -1 -> WechatUnavailable.busy();
                default -> new WechatFailed("WeChat refused getuserphonenumber with errcode " + errcode);
            };
        }
        OpenData.PhoneInfo phone;
        try {
            JsonNode info = reply.get("phone_info");
            phone = info == null || !info.isObject() ? null : phoneInfos.readValue(info);
        } catch (JacksonException e) {
            phone = null;
        }
        if (phone == null || !OpenData.wellFormed(phone)) {
            throw new WechatFailed("WeChat answered getuserphonenumber without a well-formed phone_info");
        }
        if (phone.watermark() == null || !appid.equals(phone.watermark().appid())) {
            throw new PhoneCodeErrors.ForeignWatermark();
        }
        return phone;
    }

    /** What getuserphonenumber can refuse. */
    public static final class PhoneCodeErrors {

        private PhoneCodeErrors() {
        }

        /** 40029: the code is unknown, used, past its five minutes, or another mini-program's. */
        public static final class InvalidCode extends GatewayException {
            InvalidCode() {
                super(HttpStatus.BAD_REQUEST, "invalid_phone_code", 3,
                        "the phone code is invalid, expired or already used (WeChat errcode 40029); tap the getPhoneNumber button again");
            }
        }

        /** 45011: too many calls. */
        public static final class RateLimited extends GatewayException {
            RateLimited() {
                super(HttpStatus.TOO_MANY_REQUESTS, "wechat_rate_limited", 4,
                        "WeChat is rate limiting phone number requests (errcode 45011); retry later");
            }
        }

        /** WeChat's phone_info names another mini-program in its watermark. */
        public static final class ForeignWatermark extends GatewayException {
            ForeignWatermark() {
                super(HttpStatus.BAD_GATEWAY, "wechat_foreign_watermark",
                        4, "WeChat's phone number carries another mini-program's watermark; it was not stored");
            }
        }
    }
}
