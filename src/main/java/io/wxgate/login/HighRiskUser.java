package io.wxgate.login;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** WeChat answered 40226: it has flagged this user as high-risk and refuses the login. */
public class HighRiskUser extends GatewayException {
    public HighRiskUser() {
        super(HttpStatus.FORBIDDEN, "high_risk_user", 4,
                "WeChat refused the login for a high-risk user (errcode 40226)");
    }
}
