package io.wxgate.login;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.web.ErrorResponses;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/** Login routes: the versioned {@code POST /api/v1/sessions} and the seed client's {@code POST /login/}. */
@RestController
public class LoginController {

    private final LoginService login;
    private final SessionProperties sessionProperties;

    public LoginController(LoginService login, SessionProperties sessionProperties, ObjectMapper json) {
        this.login = login;
        this.sessionProperties = sessionProperties;
        // Jackson resolves a type's (de)serializer under a lock on first use: resolve these bodies at startup,
        // not on event-loop threads during the first burst of logins
        json.readerFor(LoginRequest.class);
        json.writerFor(TokenReply.class);
        json.writerFor(SeedLoginReply.class);
    }

    @PostMapping("/api/v1/sessions")
    public Mono<ResponseEntity<TokenReply>> createSession(@RequestBody(required = false) LoginRequest request) {
        return login.login(codeOf(request))
                .map(session -> ResponseEntity.status(HttpStatus.CREATED)
                        .body(new TokenReply(session.token(), sessionProperties.ttl().toSeconds())));
    }

    @PostMapping({"/login/", "/login"})
    public Mono<SeedLoginReply> seedLogin(@RequestBody(required = false) LoginRequest request) {
        return login.login(codeOf(request))
                .map(session -> new SeedLoginReply(0, "ok", new SeedToken(session.token())));
    }

    private static String codeOf(LoginRequest request) {
        return request == null ? null : request.code();
    }

    /** The body of both login routes: the code from wx.login. */
    public record LoginRequest(String code) {
    }

    /** A new gateway token and its lifetime in seconds. */
    public record TokenReply(String token, @JsonProperty("expires_in") long expiresIn) {
    }

    /** The seed's {@code {"status":0,"msg":"ok","data":{"token":...}}}. */
    public record SeedLoginReply(int status, String msg, SeedToken data) {
    }

    public record SeedToken(String token) {
    }

    // Spring 7 reports an over-limit body as ContentTooLargeException, which ErrorResponses does not map yet
    @ExceptionHandler(ContentTooLargeException.class)
    public ResponseEntity<Object> tooLarge(ServerWebExchange exchange) {
        return ErrorResponses.respond(exchange, HttpStatus.PAYLOAD_TOO_LARGE, "body_too_large", 1,
                "request body is too large");
    }
}
