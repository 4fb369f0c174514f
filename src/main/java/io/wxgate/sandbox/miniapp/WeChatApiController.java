package io.wxgate.sandbox.miniapp;

import com.fasterxml.jackson.annotation.JsonProperty;
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
    private final JsonMapper json = JsonMapper.builder().build();

    public WeChatApiController(MiniappWorld world, AccessTokens tokens) {
        this.world = world;
        this.tokens = tokens;
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
