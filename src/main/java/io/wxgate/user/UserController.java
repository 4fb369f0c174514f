package io.wxgate.user;

import io.wxgate.login.BearerToken;
import io.wxgate.web.Require;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * User-data routes: versioned ones under {@code /api/v1/users/me} (token as {@code Authorization: Bearer}),
 * and the seed client's {@code POST /getinfo/} (token in the body), plus {@code /getphone/} in the same style.
 */
@RestController
public class UserController {

    private final UserService users;

    public UserController(UserService users, ObjectMapper json) {
        this.users = users;
        // Jackson resolves a type's (de)serializer under a lock on first use: resolve these bodies at startup
        json.readerFor(UserService.SealedUserInfo.class);
        json.readerFor(PhoneRequest.class);
        json.readerFor(NicknameRequest.class);
        json.readerFor(SeedUserInfoRequest.class);
        json.readerFor(SeedPhoneRequest.class);
        json.writerFor(UserProfile.class);
        json.writerFor(SeedReply.class);
        json.writerFor(SeedPhoneReply.class);
    }

    @GetMapping("/api/v1/users/me")
    public Mono<UserProfile> me(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        return Mono.fromCallable(() -> BearerToken.from(authorization)).flatMap(users::current);
    }

    @PostMapping("/api/v1/users/me/profile")
    public Mono<UserProfile> saveProfile(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                         @RequestBody(required = false) UserService.SealedUserInfo body) {
        UserService.SealedUserInfo sealed = body == null ? new UserService.SealedUserInfo(null, null, null, null) : body;
        return Mono.fromCallable(() -> BearerToken.from(authorization)).flatMap(token -> users.saveProfile(token, sealed));
    }

    /** {@code {"code"}} from today's getPhoneNumber button, or {@code {iv, encryptedData}} from an old client. */
    @PostMapping("/api/v1/users/me/phone")
    public Mono<UserProfile> savePhone(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                       @RequestBody(required = false) PhoneRequest body) {
        PhoneRequest request = body == null ? new PhoneRequest(null, null, null) : body;
        return Mono.fromCallable(() -> BearerToken.from(authorization))
                .flatMap(token -> request.byCode() ? users.savePhoneByCode(token, request.code())
                        : users.savePhone(token, new UserService.SealedData(request.iv(), request.encryptedData())));
    }

    /** The nickname input's value, checked with WeChat's msg_sec_check before it is stored. */
    @PutMapping("/api/v1/users/me/nickname")
    public Mono<UserProfile> saveNickname(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                          @RequestBody(required = false) NicknameRequest body) {
        String nickName = body == null ? null : body.nickName();
        return Mono.fromCallable(() -> BearerToken.from(authorization)).flatMap(token -> users.saveNickname(token, nickName));
    }

    /** {@code {"nickName"}}. */
    public record NicknameRequest(String nickName) {
    }

    @PostMapping({"/getinfo/", "/getinfo"})
    public Mono<SeedReply> seedGetInfo(@RequestBody(required = false) SeedUserInfoRequest body) {
        SeedUserInfoRequest request = body == null ? new SeedUserInfoRequest(null, null, null, null, null) : body;
        return Mono.fromCallable(() -> {
                    Require.text(request.iv(), "iv");
                    Require.text(request.encryptedData(), "encryptedData");
                    return Require.text(request.token(), "token");
                })
                .flatMap(token -> users.saveSeedProfile(token, new UserService.SealedUserInfo(
                        request.iv(), request.encryptedData(), request.rawData(), request.signature())))
                .map(user -> new SeedReply(0, "ok", user));
    }

    @PostMapping({"/getphone/", "/getphone"})
    public Mono<SeedPhoneReply> seedGetPhone(@RequestBody(required = false) SeedPhoneRequest body) {
        SeedPhoneRequest request = body == null ? new SeedPhoneRequest(null, null, null, null) : body;
        boolean byCode = request.code() != null && !request.code().isBlank();
        return Mono.fromCallable(() -> {
                    if (!byCode) {
                        Require.text(request.iv(), "iv");
                        Require.text(request.encryptedData(), "encryptedData");
                    }
                    return Require.text(request.token(), "token");
                })
                .flatMap(token -> byCode ? users.saveSeedPhoneByCode(token, request.code())
                        : users.saveSeedPhone(token, new UserService.SealedData(request.iv(), request.encryptedData())))
                .map(phone -> new SeedPhoneReply(0, "ok",
                        new SeedPhone(phone.phoneNumber(), phone.purePhoneNumber(), phone.countryCode())));
    }

    /** The seed's {@code /getinfo/} body: wx.getUserInfo's iv and encryptedData plus the login token. */
    public record SeedUserInfoRequest(String iv, String encryptedData, String token, String rawData, String signature) {
    }

    /** {@code /getphone/} in the seed's style: getPhoneNumber's code (or an old client's iv and encryptedData) plus the login token. */
    public record SeedPhoneRequest(String code, String iv, String encryptedData, String token) {
    }

    /** The body of {@code POST /api/v1/users/me/phone}: a code, or iv and encryptedData. */
    public record PhoneRequest(String code, String iv, String encryptedData) {
        boolean byCode() {
            return code != null && !code.isBlank();
        }
    }

    /** The seed's {@code /getinfo/} success: {@code {"status":0,"msg":"ok","data":{the Wxuser row}}}. */
    public record SeedReply(int status, String msg, SeedUser data) {
    }

    /** {@code /getphone/}'s success, in the same shape: {@code {"status":0,"msg":"ok","data":{phoneNumber,...}}}. */
    public record SeedPhoneReply(int status, String msg, SeedPhone data) {
    }

    /** The phone number as getPhoneNumber's data names it. */
    public record SeedPhone(String phoneNumber, String purePhoneNumber, String countryCode) {
    }
}
