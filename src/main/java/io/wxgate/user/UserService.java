package io.wxgate.user;

import io.wxgate.login.OpenidMask;
import io.wxgate.login.Session;
import io.wxgate.login.SessionStore;
import io.wxgate.wechat.UserDataCipher;
import io.wxgate.web.BadRequest;
import io.wxgate.web.Require;
import java.util.concurrent.Callable;
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
    private final OpenDataProperties limits;
    private final PhoneNumberClient phoneNumbers;
    private final SessionKeyCheck sessionKeys;
    private final ContentCheck contentCheck;

    public UserService(SessionStore sessions, OpenData openData, UserRepository users, OpenDataProperties limits,
                       PhoneNumberClient phoneNumbers, SessionKeyCheck sessionKeys, ContentCheck contentCheck) {
        this.sessionKeys = sessionKeys;
        this.contentCheck = contentCheck;
        this.sessions = sessions;
        this.openData = openData;
        this.users = users;
        this.limits = limits;
        this.phoneNumbers = phoneNumbers;
    }

    /** Decrypts and stores a wx.getUserInfo answer; returns the user as stored. */
    public Mono<UserProfile> saveProfile(String token, SealedUserInfo sealed) {
        return storeProfile(token, sealed).flatMap(session -> stored(session.openid()));
    }

    /** The same for the seed's {@code /getinfo/}: returns the user as the seed's serializer showed it. */
    public Mono<SeedUser> saveSeedProfile(String token, SealedUserInfo sealed) {
        return storeProfile(token, sealed).flatMap(session -> users.findSeedUser(session.openid()))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("no wx_user row for a live session")));
    }

    /** Decrypts and stores a getPhoneNumber answer; returns the user as stored. */
    public Mono<UserProfile> savePhone(String token, SealedData sealed) {
        return storePhone(token, sealed).flatMap(stored -> stored(stored.session().openid()));
    }

    /** The same for the seed-style {@code /getphone/}: returns the phone number as stored. */
    public Mono<OpenData.PhoneInfo> saveSeedPhone(String token, SealedData sealed) {
        return storePhone(token, sealed).map(StoredPhone::phone);
    }

    /** Exchanges a getPhoneNumber code with WeChat and stores the number; returns the user as stored. */
    public Mono<UserProfile> savePhoneByCode(String token, String code) {
        return storePhoneByCode(token, code).flatMap(stored -> stored(stored.session().openid()));
    }

    /** The same for the seed-style {@code /getphone/}: returns the phone number as stored. */
    public Mono<OpenData.PhoneInfo> saveSeedPhoneByCode(String token, String code) {
        return storePhoneByCode(token, code).map(StoredPhone::phone);
    }

    private Mono<StoredPhone> storePhoneByCode(String token, String code) {
        return Mono.fromCallable(() -> Require.text(code, "code"))
                .then(sessions.require(token))
                .flatMap(session -> phoneNumbers.exchange(code)
                        .flatMap(phone -> users.savePhone(session.openid(), phone).thenReturn(new StoredPhone(session, phone))));
    }

    /**
     * A nickname from the nickname input: stored only when WeChat's msg_sec_check says pass; review and risky
     * are refused with {@link ContentCheck.TextRefused} and store nothing.
     */
    public Mono<UserProfile> saveNickname(String token, String nickName) {
        return Mono.fromCallable(() -> checkedNickname(nickName))
                .then(sessions.require(token))
                .flatMap(session -> contentCheck.suggest(session.openid(), nickName, ContentCheck.SCENE_PROFILE)
                        .flatMap(suggest -> "pass".equals(suggest)
                                ? users.saveNickname(session.openid(), nickName).then(stored(session.openid()))
                                : Mono.error(new ContentCheck.TextRefused("the nickname", suggest))));
    }

    private static String checkedNickname(String nickName) {
        Require.text(nickName, "nickName");
        if (nickName.codePointCount(0, nickName.length()) > 100) {
            throw new BadRequest("nickName is longer than 100 characters");
        }
        if (nickName.codePoints().anyMatch(Character::isISOControl)) {
            throw new BadRequest("nickName contains control characters");
        }
        return nickName;
    }

    private Mono<Session> storeProfile(String token, SealedUserInfo sealed) {
        return Mono.fromRunnable(sealed::check)
                .then(sessions.require(token))
                .flatMap(session -> opened(session, () -> {
                    if (sealed.signed()
                            && !UserDataCipher.rawDataSignatureMatches(sealed.rawData(), sealed.signature(), session.sessionKey())) {
                        throw new UserDataRejected("signature does not match rawData");
                    }
                    return openData.userInfo(session.sessionKey(), session.openid(), sealed.encryptedData(), sealed.iv());
                })
                        .flatMap(info -> users.saveProfile(session.openid(), info))
                        .thenReturn(session));
    }

    private Mono<StoredPhone> storePhone(String token, SealedData sealed) {
        return Mono.fromRunnable(sealed::check)
                .then(sessions.require(token))
                .flatMap(session -> opened(session,
                        () -> openData.phoneNumber(session.sessionKey(), sealed.encryptedData(), sealed.iv()))
                        .flatMap(phone -> users.savePhone(session.openid(), phone).thenReturn(new StoredPhone(session, phone))));
    }

    private record StoredPhone(Session session, OpenData.PhoneInfo phone) {
    }

    /**
     * Opens a session's data. On a refusal WeChat is asked whether the session_key is still valid: if not, the
     * session ends with {@link SessionKeyCheck.SessionKeyExpired} (that depends on WeChat's state, never on the data
     * sent). Otherwise the refusal is counted against the session and the {@code max-failures}-th ends it; the answer
     * is the same refusal either way, and the next call finds the token gone.
     */
    private <T> Mono<T> opened(Session session, Callable<T> open) {
        return Mono.fromCallable(open)
                .onErrorResume(UserDataRejected.class, rejected -> sessionKeys.stillValid(session)
                        .flatMap(valid -> valid ? countFailure(session, rejected)
                                : sessions.revoke(session)
                                        .doOnSuccess(done -> log.info("session_key of {} no longer valid at WeChat; session ended",
                                                OpenidMask.mask(session.openid())))
                                        .then(Mono.error(new SessionKeyCheck.SessionKeyExpired()))));
    }

    private <T> Mono<T> countFailure(Session session, UserDataRejected rejected) {
        return sessions.recordFailure(session, limits.maxFailures())
                .doOnNext(revoked -> log.warn("open data refused for {}: {}{}", OpenidMask.mask(session.openid()),
                        rejected.reason(), revoked ? "; session ended" : ""))
                .then(Mono.error(rejected));
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
