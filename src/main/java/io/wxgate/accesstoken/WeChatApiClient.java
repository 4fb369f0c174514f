package io.wxgate.accesstoken;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.wxgate.login.MiniappProperties;
import io.wxgate.login.WechatFailed;
import io.wxgate.login.WechatUnavailable;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatCalls;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.web.GatewayException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * WeChat's mini-program server API other than jscode2session, on its own connection pool: the two token endpoints,
 * and JSON calls made with an access_token. Replies are JSON (at times labelled text/plain); an errcode that
 * concerns the token (40001, 42001, 40014) becomes {@link AccessTokenErrors.Rejected}, any other is the caller's
 * to interpret. Request URIs carry the secret or the token, so no transport message is ever passed on or logged.
 */
@Component
public class WeChatApiClient implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WeChatApiClient.class);

    /** A token as WeChat handed it out. */
    public record Grant(String accessToken, long expiresIn) {
        @Override
        public String toString() {
            return "Grant[expiresIn=" + expiresIn + "]";
        }
    }

    private final ConnectionProvider connections;
    private final WebClient web;
    private final MiniappProperties miniapp;
    private final ObjectMapper json;
    private final ConcurrencyGate gate;
    private final WeChatCalls calls;

    public WeChatApiClient(MiniappProperties miniapp, ObjectMapper json, MeterRegistry meters,
                              ObservationRegistry observations) {
        this.miniapp = miniapp;
        this.json = json;
        // admitted like jscode2session (wechat.miniapp.gate), on a gate and pool of its own
        WeChatHttp http = WeChatHttp.of("wechat-miniapp-api", miniapp.baseUrl(), miniapp.connectTimeout(),
                miniapp.responseTimeout(), miniapp.gate(), meters, observations);
        this.gate = http.gate();
        this.connections = http.connections();
        this.web = http.web();
        this.calls = http.calls();
    }

    /** {@code POST /cgi-bin/stable_token}. */
    public Mono<Grant> stableToken(boolean forceRefresh) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "client_credential");
        body.put("appid", miniapp.appid());
        body.put("secret", miniapp.secret());
        body.put("force_refresh", forceRefresh);
        return exchange("stable_token", web.post().uri("/cgi-bin/stable_token")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                .map(WeChatApiClient::grant);
    }

    /** {@code GET /cgi-bin/token}. */
    public Mono<Grant> classicToken() {
        Map<String, String> query = Map.of("appid", miniapp.appid(), "secret", miniapp.secret());
        return exchange("token", web.get().uri(uri -> uri.path("/cgi-bin/token")
                        .queryParam("grant_type", "client_credential")
                        .queryParam("appid", "{appid}")
                        .queryParam("secret", "{secret}")
                        .build(query)))
                .map(WeChatApiClient::grant);
    }

    /**
     * {@code POST path?access_token=…} with a JSON body: the reply, errcode included, or {@link AccessTokenErrors.Rejected}
     * when WeChat refused the token itself.
     */
    public Mono<JsonNode> post(String path, String accessToken, Object body) {
        return exchange(path, web.post().uri(uri -> uri.path(path).queryParam("access_token", "{token}").build(Map.of("token", accessToken)))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                .handle((reply, sink) -> {
                    int errcode = errcode(reply);
                    if (AccessTokenErrors.Rejected.isTokenErrcode(errcode)) {
                        sink.error(new AccessTokenErrors.Rejected(errcode));
                    } else {
                        sink.next(reply);
                    }
                });
    }

    /** {@code GET path?access_token=…&query…}: as {@link #post}, for the calls WeChat takes as a query. */
    public Mono<JsonNode> get(String path, String accessToken, Map<String, String> query) {
        Map<String, String> values = new LinkedHashMap<>(query);
        values.put("access_token", accessToken);
        return exchange(path, web.get().uri(uri -> {
                    values.keySet().forEach(name -> uri.queryParam(name, "{" + name + "}"));
                    return uri.path(path).build(values);
                }))
                .handle((reply, sink) -> {
                    int errcode = errcode(reply);
                    if (AccessTokenErrors.Rejected.isTokenErrcode(errcode)) {
                        sink.error(new AccessTokenErrors.Rejected(errcode));
                    } else {
                        sink.next(reply);
                    }
                });
    }

    /** WeChat's errcode in a reply, 0 when absent. */
    public static int errcode(JsonNode reply) {
        JsonNode errcode = reply.get("errcode");
        return errcode == null || errcode.isNull() ? 0 : errcode.asInt();
    }

    @Override
    public void destroy() {
        connections.dispose();
    }

    private Mono<JsonNode> exchange(String what, WebClient.RequestHeadersSpec<?> request) {
        return gate.admit(calls.timed(what, request.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL)
                .retrieve()
                .onStatus(status -> !status.is2xxSuccessful(), response -> response.releaseBody()
                        .then(Mono.error(new WechatFailed("WeChat answered " + what + " with HTTP " + response.statusCode().value()))))
                .bodyToMono(String.class)
                .switchIfEmpty(Mono.error(() -> new WechatFailed("WeChat answered " + what + " with an empty body")))
                .map(text -> {
                    try {
                        JsonNode reply = json.readTree(text);
                        if (reply == null || !reply.isObject()) {
                            throw new WechatFailed("WeChat answered " + what + " with something that is not a JSON object");
                        }
                        return reply;
                    } catch (JacksonException e) {
                        throw new WechatFailed("WeChat answered " + what + " with something that is not JSON");
                    }
                })
                .timeout(miniapp.connectTimeout().plus(miniapp.responseTimeout()).plusSeconds(1))
                .onErrorMap(e -> !(e instanceof GatewayException) && !(e instanceof AccessTokenErrors.Rejected),
                        e -> transportFailure(what, e)),
                reply -> String.valueOf(errcode(reply))));
    }

    private static Grant grant(JsonNode reply) {
        int errcode = errcode(reply);
        if (errcode != 0) {
            log.warn("access_token refused: errcode={}", errcode);
            throw switch (errcode) {
                case 40013 -> new AccessTokenErrors.Misconfigured("WeChat does not know this appid (errcode 40013); check WXGATE_MINIAPP_APPID");
                case 40125 -> new AccessTokenErrors.Misconfigured("WeChat refused the AppSecret (errcode 40125); check WXGATE_MINIAPP_SECRET");
                case 40164 -> new AccessTokenErrors.Misconfigured("this server's IP address is not on the mini-program's IP whitelist (errcode 40164)");
                case 45009 -> new AccessTokenErrors.Unavailable("wechat_quota_exhausted", "WeChat's daily quota for access_token is used up (errcode 45009)");
                case 89503 -> new AccessTokenErrors.Unavailable("wechat_needs_confirmation", "WeChat wants an administrator to confirm this call (errcode 89503)");
                case -1 -> WechatUnavailable.busy();
                default -> new WechatFailed("WeChat refused the access_token request with errcode " + errcode);
            };
        }
        JsonNode token = reply.get("access_token");
        JsonNode expiresIn = reply.get("expires_in");
        if (token == null || token.asString("").isBlank() || expiresIn == null || expiresIn.asLong(0) <= 0) {
            throw new WechatFailed("WeChat answered the access_token request without access_token or expires_in");
        }
        return new Grant(token.asString(), expiresIn.asLong());
    }

    private Throwable transportFailure(String what, Throwable e) {
        if (WeChatHttp.poolExhausted(e)) {
            return new Overloaded("WeChat", miniapp.gate().maxWait());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof ReadTimeoutException || t instanceof ConnectTimeoutException) {
                log.warn("{} timed out ({})", what, t.getClass().getSimpleName());
                return WechatUnavailable.timedOut();
            }
        }
        if (e instanceof WebClientException || e instanceof IOException) {
            log.warn("{} failed in transport ({})", what, e.getClass().getSimpleName());
            return WechatUnavailable.unreachable();
        }
        return e;
    }
}
