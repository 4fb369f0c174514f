package io.wxgate.user;

import io.wxgate.login.SessionStore;
import io.wxgate.wechat.UserDataCipher;
import io.wxgate.web.BadRequest;
import io.wxgate.web.Require;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Stores what the mini-program's open data says about its user. Every check (fields, token, rawData
 * signature, decryption, watermark) runs before the one write, so bad input changes nothing.
 */
@Service
public class UserService {

    private static final Logger log = LoggerFactory.getLogger(UserService.class);

    private final SessionStore sessions;
    private final OpenData openData;
    private final UserRepository users;

    public UserService(SessionStore sessions, OpenData openData, UserRepository users) {
        this.sessions = sessions;
        this.openData = openData;
        this.users = users;
    }

    /** Decrypts and stores a wx.getUserInfo answer; returns the user as stored. */
    public Mono<UserProfile> saveProfile(String token, SealedUserInfo sealed) {
        return Mono.fromRunnable(sealed::check)
                .then(sessions.require(token))
                .flatMap(session -> {
                    if (sealed.signed()
                            && !UserDataCipher.rawDataSignatureMatches(sealed.rawData(), sealed.signature(), session.sessionKey())) {
                        return Mono.error(new SignatureMismatch());
                    }
                    OpenData.UserInfo info = openData.userInfo(session.sessionKey(), session.openid(),
                            sealed.encryptedData(), sealed.iv());
                    return users.saveProfile(session.openid(), info).then(stored(session.openid()));
                });
    }

    /** Decrypts and stores a getPhoneNumber answer; returns the user as stored. */
    public Mono<UserProfile> savePhone(String token, SealedData sealed) {
        return Mono.fromRunnable(sealed::check)
                .then(sessions.require(token))
                .flatMap(session -> {
                    OpenData.PhoneInfo phone = openData.phoneNumber(session.sessionKey(), sealed.encryptedData(), sealed.iv());
                    return users.savePhone(session.openid(), phone).then(stored(session.openid()));
                });
    }

    /** The logged-in user as stored. */
    public Mono<UserProfile> current(String token) {
        return sessions.require(token).flatMap(session -> stored(session.openid()));
    }

    private Mono<UserProfile> stored(String openid) {
        return users.find(openid).switchIfEmpty(Mono.error(() -> {
            log.error("no wx_user row for a live session");
            return new IllegalStateException("no wx_user row for a live session");
        }));
    }

    /** A wx.getUserInfo answer as the mini-program forwards it; rawData and signature are optional, but go together. */
    public record SealedUserInfo(String iv, String encryptedData, String rawData, String signature) {

        boolean signed() {
            return rawData != null && !rawData.isEmpty();
        }

        void check() {
            Require.text(iv, "iv");
            Require.text(encryptedData, "encryptedData");
            if (signed() != (signature != null && !signature.isEmpty())) {
                throw new BadRequest("send rawData and signature together, or neither");
            }
        }
    }

    /** A getPhoneNumber answer (or any other bare open data). */
    public record SealedData(String iv, String encryptedData) {

        void check() {
            Require.text(iv, "iv");
            Require.text(encryptedData, "encryptedData");
        }
    }
}
