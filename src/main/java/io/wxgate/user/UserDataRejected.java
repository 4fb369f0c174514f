package io.wxgate.user;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/**
 * Open data (encryptedData, iv, rawData/signature) that cannot be opened and trusted for this session. Every
 * reason (base64, padding, UTF-8, JSON, watermark, openId, signature) gets this one answer, so the answers cannot
 * serve as a padding oracle; the reason itself stays on the server, for the log.
 */
public class UserDataRejected extends GatewayException {

    static final String DETAIL = "the user data could not be verified for this session; call wx.login and get it again";

    private final String reason;

    public UserDataRejected(String reason) {
        super(HttpStatus.BAD_REQUEST, "bad_user_data", 3, DETAIL);
        this.reason = reason;
    }

    /** Why, for the server's log only. */
    public String reason() {
        return reason;
    }
}
