package io.wxgate.sandbox.miniapp;

import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.sandbox.SandboxRandom;
import io.wxgate.wechat.UserDataCipher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The phone's side of the mini-program APIs: what {@code wx.login}, {@code wx.getUserInfo} and the
 * {@code getPhoneNumber} button hand to the mini-program, computed the way WeChat computes them.
 */
@RestController
@RequestMapping("/sandbox/wx")
public class PhoneController {

    /** {@code errcode} / {@code delayMs}: how jscode2session should treat this code (tests of refusals and timeouts). */
    public record LoginRequest(String appid, String openid, String unionid, Integer errcode, Long delayMs) {
    }

    /** Many new users' phones calling wx.login at once (load tests make their codes ahead of a run). */
    public record LoginsRequest(String appid, Integer count, Long delayMs) {
    }

    public record UserRequest(String appid, String openid, Map<String, Object> userInfo) {
    }

    static final int MAX_LOGINS = 10_000;

    private final MiniappWorld world;
    private final SandboxRandom random;
    private final JsonMapper json = JsonMapper.builder().build();

    public PhoneController(MiniappWorld world, SandboxRandom random) {
        this.world = world;
        this.random = random;
    }

    @PostMapping("/login")
    public ResponseEntity<Map<String, Object>> login(@RequestBody LoginRequest request) {
        if (!world.knowsApp(request.appid())) {
            return fail("login", "invalid appid");
        }
        Duration delay = request.delayMs() == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, request.delayMs()));
        String code = world.login(request.appid(), request.openid(), request.unionid(), request.errcode(), delay);
        return ResponseEntity.ok(Map.of("code", code, "errMsg", "login:ok"));
    }

    /**
     * {@code count} new users (1 to 10,000), each logged in on its phone: their openids and wx.login codes, each code
     * as {@code /login} makes it. A load test takes these before a run, so the phones' side costs the box nothing
     * while the gateway is measured.
     */
    @PostMapping("/logins")
    public ResponseEntity<Map<String, Object>> logins(@RequestBody LoginsRequest request) {
        if (!world.knowsApp(request.appid())) {
            return fail("login", "invalid appid");
        }
        int count = request.count() == null ? 0 : request.count();
        if (count < 1 || count > MAX_LOGINS) {
            return fail("login", "count must be 1 to " + MAX_LOGINS);
        }
        Duration delay = request.delayMs() == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, request.delayMs()));
        List<Map<String, String>> logins = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String openid = random.openid();
            logins.add(Map.of("openid", openid, "code", world.login(request.appid(), openid, null, null, delay)));
        }
        return ResponseEntity.ok(Map.of("logins", logins, "errMsg", "login:ok"));
    }

    @PostMapping("/userinfo")
    public ResponseEntity<Map<String, Object>> userInfo(@RequestBody UserRequest request) {
        MiniappWorld.User user = loggedIn(request).orElse(null);
        if (user == null) {
            return fail("getUserInfo", "not logged in: call /sandbox/wx/login and exchange the code first");
        }
        Map<String, Object> info = request.userInfo() != null ? new LinkedHashMap<>(request.userInfo())
                : user.profile() != null ? asUserInfo(user.profile()) : defaultProfile();
        String rawData = json.writeValueAsString(info);
        Map<String, Object> sensitive = new LinkedHashMap<>();
        sensitive.put("openId", user.openid());
        sensitive.putAll(info);
        if (user.unionid() != null) {
            sensitive.put("unionId", user.unionid());
        }
        sensitive.put("watermark", watermark(request.appid()));
        String iv = random.base64Bytes(16);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errMsg", "getUserInfo:ok");
        body.put("rawData", rawData);
        body.put("signature", UserDataCipher.rawDataSignature(rawData, user.sessionKey()));
        body.put("encryptedData", UserDataCipher.encrypt(user.sessionKey(), json.writeValueAsString(sensitive), iv));
        body.put("iv", iv);
        body.put("userInfo", info);
        return ResponseEntity.ok(body);
    }

    @PostMapping("/phonenumber")
    public ResponseEntity<Map<String, Object>> phoneNumber(@RequestBody UserRequest request) {
        MiniappWorld.User user = loggedIn(request).orElse(null);
        if (user == null) {
            return fail("getPhoneNumber", "not logged in: call /sandbox/wx/login and exchange the code first");
        }
        String pure = world.phoneNumber(user);
        Map<String, Object> phone = new LinkedHashMap<>();
        phone.put("phoneNumber", "+86" + pure);
        phone.put("purePhoneNumber", pure);
        phone.put("countryCode", "86");
        phone.put("watermark", watermark(request.appid()));
        String iv = random.base64Bytes(16);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errMsg", "getPhoneNumber:ok");
        body.put("encryptedData", UserDataCipher.encrypt(user.sessionKey(), json.writeValueAsString(phone), iv));
        body.put("iv", iv);
        return ResponseEntity.ok(body);
    }

    /** The getPhoneNumber button today: a one-time code (5 minutes) the server exchanges with getuserphonenumber. */
    public record PhoneCodeRequest(String appid, String openid, Integer errcode) {
    }

    @PostMapping("/getPhoneNumber")
    public ResponseEntity<Map<String, Object>> phoneCode(@RequestBody PhoneCodeRequest request) {
        return world.phoneCode(request.appid(), request.openid(), request.errcode())
                .<ResponseEntity<Map<String, Object>>>map(code -> ResponseEntity.ok(Map.of("code", code, "errMsg", "getPhoneNumber:ok")))
                .orElseGet(() -> fail("getPhoneNumber", "unknown user: call /sandbox/wx/login first"));
    }

    private java.util.Optional<MiniappWorld.User> loggedIn(UserRequest request) {
        if (request.appid() == null || request.openid() == null) {
            return java.util.Optional.empty();
        }
        return world.user(request.appid(), request.openid()).filter(u -> u.sessionKey() != null);
    }

    /** A configured profile as wx.getUserInfo shows it (fields left out of the configuration are left out here). */
    private static Map<String, Object> asUserInfo(SandboxProperties.Profile profile) {
        Map<String, Object> info = new LinkedHashMap<>();
        putIfSet(info, "nickName", profile.nickName());
        putIfSet(info, "gender", profile.gender());
        putIfSet(info, "language", profile.language());
        putIfSet(info, "city", profile.city());
        putIfSet(info, "province", profile.province());
        putIfSet(info, "country", profile.country());
        putIfSet(info, "avatarUrl", profile.avatarUrl());
        return info;
    }

    private static void putIfSet(Map<String, Object> info, String field, Object value) {
        if (value != null) {
            info.put(field, value);
        }
    }

    /** The default profile; its nickName carries a 4-byte emoji so utf8mb4 is exercised end to end. */
    static Map<String, Object> defaultProfile() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("nickName", "沙盒用户🐼");
        info.put("gender", 1);
        info.put("language", "zh_CN");
        info.put("city", "Guangzhou");
        info.put("province", "Guangdong");
        info.put("country", "China");
        info.put("avatarUrl", "https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox/132");
        return info;
    }

    private static Map<String, Object> watermark(String appid) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("timestamp", Instant.now().getEpochSecond());
        w.put("appid", appid);
        return w;
    }

    private static ResponseEntity<Map<String, Object>> fail(String api, String why) {
        return ResponseEntity.badRequest().body(Map.of("errMsg", api + ":fail " + why));
    }
}
