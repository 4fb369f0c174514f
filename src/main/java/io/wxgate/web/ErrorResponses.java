package io.wxgate.web;

import io.lettuce.core.RedisException;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.lettuce.core.RedisException;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * The one place errors become responses: {@code application/problem+json} under {@code /api/},
 * the seed's {@code {status|code, msg}} shape on the seed's routes. Never a stack trace.
 */
@RestControllerAdvice
public class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    /** A failed-over Redis or a restarted MySQL is usually back within seconds. */
    private static final long STORE_RETRY_AFTER_SECONDS = 5;

    @ExceptionHandler(GatewayException.class)
    public ResponseEntity<Object> gateway(GatewayException e, ServerWebExchange exchange) {
        ResponseEntity<Object> seed = seedAnswer(exchange.getRequest().getPath().value(), e);
        if (seed != null) {
            return seed;
        }
        ResponseEntity<Object> response = respond(exchange, e.status(), e.code(), e.seedCode(), e.getMessage());
        if (e.retryAfter() == null) {
            return response;
        }
        return withRetryAfter(response, Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
    }

    /**
     * The answers the seed's Django views gave, exactly: HTTP 200 (DRF's default) with only {@code status|code} and
     * {@code msg}. {@code /login/}: 1 缺少参数, 2 无效的code (any code WeChat refuses); {@code /getinfo/} (and
     * {@code /getphone/} in its style): 1 缺少参数, 2 无效的token; {@code /pay/}: 1 缺少参数, 2 token无效. Failures
     * the seed had no answer for (a bad amount, WeChat Pay refusing, overload) keep
     * their own status and the machine code in {@code error}.
     */
    private static ResponseEntity<Object> seedAnswer(String path, GatewayException e) {
        boolean login = path.equals("/login/") || path.equals("/login");
        boolean userData = path.equals("/getinfo/") || path.equals("/getinfo") || path.equals("/getphone/") || path.equals("/getphone");
        boolean pay = path.equals("/pay/") || path.equals("/pay");
        if (!login && !userData && !pay) {
            return null;
        }
        String key = login ? "status" : "code";
        if (e instanceof BadRequest.MissingField) {
            return seedBody(key, 1, "缺少参数");
        }
        if (pay && e.code().equals("session_expired")) {
            return seedBody(key, 2, "token无效");
        }
        if (login && (e.code().equals("invalid_code") || e.code().equals("bad_request"))) {
            return seedBody(key, 2, "无效的code");
        }
        if (userData && e.code().equals("session_expired")) {
            return seedBody(key, 2, "无效的token");
        }
        return null;
    }

    private static ResponseEntity<Object> seedBody(String key, int value, String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(key, value);
        body.put("msg", msg);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    @ExceptionHandler(ServerWebInputException.class)
    public ResponseEntity<Object> input(ServerWebInputException e, ServerWebExchange exchange) {
        if (causedBy(e, DataBufferLimitException.class)) {
            return tooLarge(exchange);
        }
        String detail = causedBy(e, DecodingException.class) ? "request body is not valid JSON of the expected shape"
                : "request is missing a required part";
        return respond(exchange, HttpStatus.BAD_REQUEST, "bad_request", 1, detail);
    }

    @ExceptionHandler({DataBufferLimitException.class, ContentTooLargeException.class})
    public ResponseEntity<Object> limit(Exception e, ServerWebExchange exchange) {
        return tooLarge(exchange);
    }

    /** Any other status Spring raises on its own (not acceptable, not found, ...), without its internals. */
    @ExceptionHandler(ResponseStatusException.class)
    public ResponseEntity<Object> status(ResponseStatusException e, ServerWebExchange exchange) {
        HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
        if (status == null || status.is5xxServerError()) {
            return unexpected(e, exchange);
        }
        return respond(exchange, status, status.name().toLowerCase(java.util.Locale.ROOT), 1, status.getReasonPhrase());
    }

    @ExceptionHandler(UnsupportedMediaTypeStatusException.class)
    public ResponseEntity<Object> mediaType(UnsupportedMediaTypeStatusException e, ServerWebExchange exchange) {
        return respond(exchange, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", 1,
                "send the body as application/json");
    }

    @ExceptionHandler(MethodNotAllowedException.class)
    public ResponseEntity<Object> method(MethodNotAllowedException e, ServerWebExchange exchange) {
        return respond(exchange, HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", 1, "method not allowed here");
    }

    // Lettuce's own RedisException (a command timed out, a cluster node went away mid-failover) reaches here
    // untranslated on some reactive paths: it is the same outage as Spring's Redis exceptions
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            RedisConnectionFailureException.class, RedisSystemException.class, RedisException.class})
    public ResponseEntity<Object> storeDown(Exception e, ServerWebExchange exchange) {
        log.warn("store unavailable on {}: {}", exchange.getRequest().getPath(), e.toString());
        return withRetryAfter(respond(exchange, HttpStatus.SERVICE_UNAVAILABLE, "store_unavailable", 5,
                "a backing store is unavailable; retry later"), STORE_RETRY_AFTER_SECONDS);
    }

    // Lettuce reconnecting to a Redis that is coming back can fail a command with the bare socket error, or with
    // its connect future's CompletionException around it: the same outage (WeChat's transport errors are mapped
    // by its clients and never arrive here as such). A client that hung up is not an outage.
    @ExceptionHandler({CompletionException.class, IOException.class})
    public ResponseEntity<Object> connectionLost(Exception e, ServerWebExchange exchange) {
        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
        if (!DisconnectedClientHelper.isClientDisconnectedException(e)
                && (cause instanceof IOException || cause instanceof RedisException)) {
            return storeDown(e, exchange);
        }
        return unexpected(e, exchange);
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Object> unexpected(Exception e, ServerWebExchange exchange) {
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            // the client hung up mid-request: nobody is there to read an answer, and nothing went wrong here
            log.debug("client went away on {}: {}", exchange.getRequest().getPath(), e.toString());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
        }
        // the one catch-all: logged in full here, reported to the client without internals
        log.error("unexpected error on {}", exchange.getRequest().getPath(), e);
        return respond(exchange, HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", 9, "internal error");
    }

    private static ResponseEntity<Object> withRetryAfter(ResponseEntity<Object> response, long seconds) {
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(response.getBody());
    }

    private ResponseEntity<Object> tooLarge(ServerWebExchange exchange) {
        return respond(exchange, HttpStatus.PAYLOAD_TOO_LARGE, "body_too_large", 1, "request body is too large");
    }

    /** Builds the error body in the shape the route's clients expect. */
    public static ResponseEntity<Object> respond(ServerWebExchange exchange, HttpStatus status, String code,
                                                 int seedCode, String detail) {
        String path = exchange.getRequest().getPath().value();
        if (path.startsWith("/api/")) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
            problem.setType(URI.create("https://wxgate.io/problems/" + code.replace('_', '-')));
            problem.setTitle(status.getReasonPhrase());
            problem.setInstance(URI.create(path));
            problem.setProperty("code", code);
            return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(path.startsWith("/login") ? "status" : "code", seedCode);
        body.put("msg", detail);
        body.put("error", code);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
