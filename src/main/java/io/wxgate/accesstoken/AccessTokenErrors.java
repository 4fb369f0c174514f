package io.wxgate.accesstoken;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** What can go wrong getting or using the access_token, each a type mapped by {@code ErrorResponses}. */
public final class AccessTokenErrors {

    private AccessTokenErrors() {
    }

    /** WeChat refused to issue a token because of this gateway's settings: appid, secret or IP whitelist. */
    public static final class Misconfigured extends GatewayException {
        public Misconfigured(String detail) {
            super(HttpStatus.BAD_GATEWAY, "wechat_misconfigured", 4, detail);
        }
    }

    /** WeChat will not issue or refresh a token right now: daily quota, risk confirmation, force_refresh limits. */
    public static final class Unavailable extends GatewayException {
        public Unavailable(String code, String detail) {
            super(HttpStatus.SERVICE_UNAVAILABLE, code, 5, detail);
        }
    }

    /**
     * WeChat answered 40001, 42001 or 40014 for a call made with this token. Internal: the call is retried once
     * with a fresh token; only a second refusal reaches a client, as {@link Unavailable}.
     */
    public static final class Rejected extends RuntimeException {
        private final int errcode;

        public Rejected(int errcode) {
            super("WeChat refused the access_token (errcode " + errcode + ")", null, false, false);
            this.errcode = errcode;
        }

        public int errcode() {
            return errcode;
        }

        /** Whether this errcode means "this access_token", not "this request". */
        public static boolean isTokenErrcode(int errcode) {
            return errcode == 40001 || errcode == 42001 || errcode == 40014;
        }
    }
}
