package io.wxgate.sandbox.miniapp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat's server API as a mini-program backend sees it: {@code /sns/jscode2session} and {@code /cgi-bin/token}
 * at their real paths, answering JSON with WeChat's errcodes (as {@code text/plain}, the way WeChat serves them).
 */
@RestController
public class WeChatApiController {

    private static final Duration ACCESS_TOKEN_TTL = Duration.ofSeconds(7200);

    private final MiniappWorld world;
    private final JsonMapper json = JsonMapper.builder().build();

    public WeChatApiController(MiniappWorld world) {
        this.world = world;
    }

    @GetMapping("/sns/jscode2session")
    public Mono<ResponseEntity<String>> jscode2session(@RequestParam(required = false) String appid,
                                                       @RequestParam(required = false) String secret,
                                                       @RequestParam(name = "js_code", required = false) String jsCode,
                                                       @RequestParam(name = "grant_type", required = false) String grantType) {
        Map<String, Object> refusal = checkApp(appid, secret);
        if (refusal != null) {
            return Mono.just(reply(refusal));
        }
        if (!"authorization_code".equals(grantType)) {
            return Mono.just(reply(error(40002, "invalid grant_type")));
        }
        MiniappWorld.Exchange exchange = world.exchange(appid, jsCode);
        Map<String, Object> body;
        if (exchange.user() == null) {
            body = error(exchange.errcode(), exchange.errmsg());
        } else {
            body = new LinkedHashMap<>();
            body.put("session_key", exchange.user().sessionKey());
            body.put("openid", exchange.user().openid());
            if (exchange.user().unionid() != null) {
                body.put("unionid", exchange.user().unionid());
            }
        }
        Mono<ResponseEntity<String>> answer = Mono.just(reply(body));
        return exchange.delay().isZero() ? answer : answer.delayElement(exchange.delay());
    }

    @GetMapping("/cgi-bin/token")
    public ResponseEntity<String> accessToken(@RequestParam(name = "grant_type", required = false) String grantType,
                                              @RequestParam(required = false) String appid,
                                              @RequestParam(required = false) String secret) {
        if (!"client_credential".equals(grantType)) {
            return reply(error(40002, "invalid grant_type"));
        }
        Map<String, Object> refusal = checkApp(appid, secret);
        if (refusal != null) {
            return reply(refusal);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", world.issueAccessToken(ACCESS_TOKEN_TTL));
        body.put("expires_in", ACCESS_TOKEN_TTL.toSeconds());
        return reply(body);
    }

    private Map<String, Object> checkApp(String appid, String secret) {
        if (!world.knowsApp(appid)) {
            return error(40013, "invalid appid");
        }
        if (!world.secretMatches(appid, secret)) {
            return error(40125, "invalid appsecret");
        }
        return null;
    }

    private static Map<String, Object> error(int errcode, String errmsg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", errcode);
        body.put("errmsg", errmsg + ", rid: sandbox");
        return body;
    }

    private ResponseEntity<String> reply(Map<String, Object> body) {
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(json.writeValueAsString(body));
    }
}
