package io.wxgate.user;

import io.wxgate.login.BearerToken;
import io.wxgate.web.ErrorResponses;
import io.wxgate.web.Require;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.ServerWebExchange;
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
        json.readerFor(UserService.SealedData.class);
        json.readerFor(SeedUserInfoRequest.class);
        json.readerFor(SeedPhoneRequest.class);
        json.writerFor(UserProfile.class);
        json.writerFor(SeedReply.class);
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

    @PostMapping("/api/v1/users/me/phone")
    public Mono<UserProfile> savePhone(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                       @RequestBody(required = false) UserService.SealedData body) {
        UserService.SealedData sealed = body == null ? new UserService.SealedData(null, null) : body;
        return Mono.fromCallable(() -> BearerToken.from(authorization)).flatMap(token -> users.savePhone(token, sealed));
    }

    @PostMapping({"/getinfo/", "/getinfo"})
    public Mono<SeedReply> seedGetInfo(@RequestBody(required = false) SeedUserInfoRequest body) {
        SeedUserInfoRequest request = body == null ? new SeedUserInfoRequest(null, null, null, null, null) : body;
        return Mono.fromCallable(() -> {
                    Require.text(request.iv(), "iv");
                    Require.text(request.encryptedData(), "encryptedData");
                    return Require.text(request.token(), "token");
                })
                .flatMap(token -> users.saveProfile(token, new UserService.SealedUserInfo(
                        request.iv(), request.encryptedData(), request.rawData(), request.signature())))
                .map(SeedReply::ok);
    }

    @PostMapping({"/getphone/", "/getphone"})
    public Mono<SeedReply> seedGetPhone(@RequestBody(required = false) SeedPhoneRequest body) {
        SeedPhoneRequest request = body == null ? new SeedPhoneRequest(null, null, null) : body;
        return Mono.fromCallable(() -> {
                    Require.text(request.iv(), "iv");
                    Require.text(request.encryptedData(), "encryptedData");
                    return Require.text(request.token(), "token");
                })
                .flatMap(token -> users.savePhone(token, new UserService.SealedData(request.iv(), request.encryptedData())))
                .map(SeedReply::ok);
    }

    /** The seed's {@code /getinfo/} body: wx.getUserInfo's iv and encryptedData plus the login token. */
    public record SeedUserInfoRequest(String iv, String encryptedData, String token, String rawData, String signature) {
    }

    /** {@code /getphone/} in the seed's style: getPhoneNumber's iv and encryptedData plus the login token. */
    public record SeedPhoneRequest(String iv, String encryptedData, String token) {
    }

    /** The seed's {@code {"code":0,"msg":"ok","data":{...}}}. */
    public record SeedReply(int code, String msg, UserProfile data) {
        static SeedReply ok(UserProfile user) {
            return new SeedReply(0, "ok", user);
        }
    }

    // Spring 7 reports an over-limit body as ContentTooLargeException, which ErrorResponses does not map yet
    @ExceptionHandler(ContentTooLargeException.class)
    public ResponseEntity<Object> tooLarge(ServerWebExchange exchange) {
        return ErrorResponses.respond(exchange, HttpStatus.PAYLOAD_TOO_LARGE, "body_too_large", 1,
                "request body is too large");
    }
}
