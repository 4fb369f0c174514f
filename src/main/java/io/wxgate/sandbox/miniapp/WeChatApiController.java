package io.wxgate.sandbox.miniapp;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.wechat.SessionKeySignature;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat's server API as a mini-program backend sees it: {@code /sns/jscode2session}, {@code /cgi-bin/token},
 * {@code /cgi-bin/stable_token} and {@code /wxa/business/getuserphonenumber} at their real paths, answering JSON with WeChat's errcodes (as {@code text/plain}, the way WeChat serves them).
 */
@RestController
public class WeChatApiController {

    private final MiniappWorld world;
    private final AccessTokens tokens;
    private final ContentCheckProperties contentCheck;
    private final JsonMapper json = JsonMapper.builder().build();

    public WeChatApiController(MiniappWorld world, AccessTokens tokens, ContentCheckProperties contentCheck) {
        this.world = world;
        this.tokens = tokens;
        this.contentCheck = contentCheck;
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
        return reply(granted(tokens.classic(appid)));
    }

    /** {@code {grant_type, appid, secret, force_refresh}}, JSON only, as WeChat takes it. */
    public record StableTokenRequest(@JsonProperty("grant_type") String grantType, String appid, String secret,
                                     @JsonProperty("force_refresh") Boolean forceRefresh) {
    }

    @PostMapping("/cgi-bin/stable_token")
    public ResponseEntity<String> stableToken(@RequestBody(required = false) StableTokenRequest request) {
        if (request == null || !"client_credential".equals(request.grantType())) {
            return reply(error(40002, "invalid grant_type"));
        }
        Map<String, Object> refusal = checkApp(request.appid(), request.secret());
        if (refusal != null) {
            return reply(refusal);
        }
        return reply(granted(tokens.stable(request.appid(), Boolean.TRUE.equals(request.forceRefresh()))));
    }

    public record PhoneNumberRequest(String code) {
    }

    /** The phone number behind a getPhoneNumber code: single use, this app's, five minutes. */
    @PostMapping("/wxa/business/getuserphonenumber")
    public ResponseEntity<String> phoneNumber(@RequestParam(name = "access_token", required = false) String accessToken,
                                              @RequestBody(required = false) PhoneNumberRequest request) {
        AccessTokens.Check check = tokens.check(accessToken);
        if (check.errcode() != 0) {
            return reply(tokenError(check.errcode(), accessToken));
        }
        if (request == null || request.code() == null || request.code().isBlank()) {
            return reply(error(41008, "missing code"));
        }
        MiniappWorld.Exchange exchange = world.redeemPhoneCode(check.appid(), request.code());
        if (exchange.user() == null) {
            return reply(error(exchange.errcode(), exchange.errmsg()));
        }
        String pure = world.phoneNumber(exchange.user());
        Map<String, Object> watermark = new LinkedHashMap<>();
        watermark.put("timestamp", Instant.now().getEpochSecond());
        watermark.put("appid", check.appid());
        Map<String, Object> phone = new LinkedHashMap<>();
        phone.put("phoneNumber", pure);
        phone.put("purePhoneNumber", pure);
        phone.put("countryCode", 86); // a number, as WeChat's documentation shows it
        phone.put("watermark", watermark);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", 0);
        body.put("errmsg", "ok");
        body.put("phone_info", phone);
        return reply(body);
    }

    /** {@code {content, version, scene, openid}}; WxJava sends version as a string, WeChat's docs as a number. */
    public record TextCheckRequest(String content, Object version, Integer scene, String openid) {
    }

    /** Version 2 of the text check: {@code result.suggest} is pass, review or risky. */
    @PostMapping("/wxa/msg_sec_check")
    public ResponseEntity<String> msgSecCheck(@RequestParam(name = "access_token", required = false) String accessToken,
                                              @RequestBody(required = false) TextCheckRequest request) {
        AccessTokens.Check check = tokens.check(accessToken);
        if (check.errcode() != 0) {
            return reply(tokenError(check.errcode(), accessToken));
        }
        if (request == null || request.content() == null || request.version() == null
                || !"2".equals(String.valueOf(request.version())) || request.scene() == null
                || request.scene() < 1 || request.scene() > 4) {
            return reply(error(47001, "data format error"));
        }
        if (request.openid() == null || world.user(check.appid(), request.openid()).isEmpty()) {
            return reply(error(40003, "invalid openid"));
        }
        String suggest = contentCheck.riskyWords().stream().anyMatch(request.content()::contains) ? "risky"
                : contentCheck.reviewWords().stream().anyMatch(request.content()::contains) ? "review" : "pass";
        int label = suggest.equals("pass") ? 100 : 20001;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("suggest", suggest);
        result.put("label", label);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("strategy", "content_model");
        detail.put("errcode", 0);
        detail.put("suggest", suggest);
        detail.put("label", label);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", 0);
        body.put("errmsg", "ok");
        body.put("result", result);
        body.put("detail", java.util.List.of(detail));
        body.put("trace_id", "sandbox-" + Long.toHexString(System.nanoTime()));
        return reply(body);
    }

    /** Whether {@code signature} = hmac_sha256(session_key, "") matches the user's current session_key (87009 if not). */
    @GetMapping("/wxa/checksession")
    public ResponseEntity<String> checkSession(@RequestParam(name = "access_token", required = false) String accessToken,
                                               @RequestParam(required = false) String openid,
                                               @RequestParam(required = false) String signature,
                                               @RequestParam(name = "sig_method", required = false) String sigMethod) {
        AccessTokens.Check check = tokens.check(accessToken);
        if (check.errcode() != 0) {
            return reply(tokenError(check.errcode(), accessToken));
        }
        MiniappWorld.User user = signedBy(check.appid(), openid, signature, sigMethod);
        if (user == null) {
            return reply(error(87009, "invalid signature"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", 0);
        body.put("errmsg", "ok");
        return reply(body);
    }

    /** A new session_key for the user, given a valid signature of the current one. */
    @GetMapping("/wxa/resetusersessionkey")
    public ResponseEntity<String> resetSessionKey(@RequestParam(name = "access_token", required = false) String accessToken,
                                                  @RequestParam(required = false) String openid,
                                                  @RequestParam(required = false) String signature,
                                                  @RequestParam(name = "sig_method", required = false) String sigMethod) {
        AccessTokens.Check check = tokens.check(accessToken);
        if (check.errcode() != 0) {
            return reply(tokenError(check.errcode(), accessToken));
        }
        if (signedBy(check.appid(), openid, signature, sigMethod) == null) {
            return reply(error(87009, "invalid signature"));
        }
        MiniappWorld.User user = world.resetSessionKey(check.appid(), openid).orElseThrow();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", 0);
        body.put("errmsg", "ok");
        body.put("openid", user.openid());
        body.put("session_key", user.sessionKey());
        return reply(body);
    }

    private MiniappWorld.User signedBy(String appid, String openid, String signature, String sigMethod) {
        if (!"hmac_sha256".equals(sigMethod) || openid == null) {
            return null;
        }
        return world.user(appid, openid)
                .filter(u -> u.sessionKey() != null && SessionKeySignature.matches(signature, u.sessionKey()))
                .orElse(null);
    }

    private static Map<String, Object> tokenError(int errcode, String accessToken) {
        if (accessToken == null || accessToken.isBlank()) {
            return error(41001, "access_token missing");
        }
        return errcode == 42001 ? error(42001, "access_token expired")
                : error(40001, "invalid credential, access_token is invalid or not latest");
    }

    private static Map<String, Object> granted(AccessTokens.Grant grant) {
        if (grant.errcode() != 0) {
            return error(grant.errcode(), grant.errmsg());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", grant.token());
        body.put("expires_in", grant.expiresIn());
        return body;
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
