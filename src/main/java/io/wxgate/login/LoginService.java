package io.wxgate.login;

import io.wxgate.user.UserRepository;
import io.wxgate.web.BadRequest;
import io.wxgate.web.Require;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** wx.login code in, gateway token out: jscode2session, then the user row, then a fresh session. */
@Service
public class LoginService {

    private static final Logger log = LoggerFactory.getLogger(LoginService.class);
    // real codes are 32 printable ASCII characters; anything far off is not worth a call to WeChat
    private static final Pattern CODE = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final Code2SessionClient wechat;
    private final UserRepository users;
    private final SessionStore sessions;

    public LoginService(Code2SessionClient wechat, UserRepository users, SessionStore sessions) {
        this.wechat = wechat;
        this.users = users;
        this.sessions = sessions;
    }

    public Mono<Session> login(String code) {
        return Mono.fromCallable(() -> checkedCode(code))
                .flatMap(wechat::exchange)
                .flatMap(granted -> users.recordLogin(granted.openid(), granted.unionid())
                        .then(sessions.open(granted.openid(), granted.unionid(), granted.sessionKey())))
                .doOnNext(session -> log.info("login for {}", OpenidMask.mask(session.openid())));
    }

    private static String checkedCode(String code) {
        Require.text(code, "code");
        if (!CODE.matcher(code).matches()) {
            throw new BadRequest("code is not a wx.login code");
        }
        return code;
    }
}
