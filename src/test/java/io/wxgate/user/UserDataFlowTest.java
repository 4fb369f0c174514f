package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.login.SessionProperties;
import io.wxgate.login.SessionStore;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.UserDataCipher;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** User data over real HTTP: the sandbox seals it the way WeChat does, the gateway opens and stores it in MariaDB. */
class UserDataFlowTest extends IntegrationTest {

    static final String INVALID_TOKEN = "{\"code\":2,\"msg\":\"无效的token\"}";
    static final String MISSING_PARAMETER = "{\"code\":1,\"msg\":\"缺少参数\"}";

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    DatabaseClient db;

    private static WebTestClient.ResponseSpec post(String path, Object body) {
        return gateway().post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static WebTestClient.ResponseSpec postWithToken(String path, String token, Object body) {
        return gateway().post().uri(path).contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(body).exchange();
    }

    private static Map<String, Object> profile(String nickName) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("nickName", nickName);
        info.put("gender", 2);
        info.put("language", "en");
        info.put("city", "Shenzhen");
        info.put("province", "Guangdong");
        info.put("country", "China");
        info.put("avatarUrl", "https://thirdwx.qlogo.cn/mmopen/vi_32/test/132");
        return info;
    }

    private static Map<String, Object> sealed(JsonNode wx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("iv", wx.get("iv").asString());
        body.put("encryptedData", wx.get("encryptedData").asString());
        return body;
    }

    @Test
    void seedClientFlowExactlyAsAppJsAndTest3JsStoresTheProfile() {
        SandboxPhone phone = SandboxPhone.newUser();
        // app.js: wx.login -> POST login/ {code} -> wx.setStorageSync('token', e.data.data.token)
        String code = phone.wxLogin();
        JsonNode login = post("/login/", Map.of("code", code)).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String token = login.get("data").get("token").asString();
        // test3.js: wx.getUserInfo -> POST getinfo/ {iv, encryptedData, token}
        JsonNode res = phone.wxGetUserInfo();
        JsonNode reply = post("/getinfo/", Map.of("iv", res.get("iv").asString(),
                "encryptedData", res.get("encryptedData").asString(), "token", token))
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        // views/user.py: Response({'status':0,'msg':'ok','data':wx_user_ser(user).data}), fields "__all__" of Wxuser
        assertThat(reply.propertyNames()).containsExactly("status", "msg", "data");
        assertThat(reply.get("status").asInt()).isEqualTo(0);
        assertThat(reply.get("msg").asString()).isEqualTo("ok");
        JsonNode data = reply.get("data");
        assertThat(data.propertyNames()).containsExactly("id", "openid", "name", "avatar", "language", "province",
                "city", "country", "creat_time", "update_time");
        assertThat(data.get("id").isIntegralNumber()).isTrue();
        assertThat(data.get("openid").asString()).isEqualTo(phone.openid());
        assertThat(data.get("name").asString()).isEqualTo(res.get("userInfo").get("nickName").asString());
        assertThat(data.get("avatar").asString()).isEqualTo(res.get("userInfo").get("avatarUrl").asString());
        assertThat(data.get("language").asString()).isEqualTo("zh_CN");
        assertThat(data.get("province").asString()).isEqualTo("Guangdong");
        assertThat(data.get("city").asString()).isEqualTo("Guangzhou");
        assertThat(data.get("country").asString()).isEqualTo("China");
        // DRF's DateTimeField: isoformat() in UTC, "+00:00" written "Z"
        assertThat(data.get("creat_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?Z");
        assertThat(data.get("update_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?Z");
        assertThat(reply.toString()).doesNotContain(phone.sessionKey());
        assertThat(phone.row().get("nick_name")).isEqualTo(res.get("userInfo").get("nickName").asString());
    }

    @Test
    void apiFlowWithBearerChecksSignatureAndReturnsTheStoredUser() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        JsonNode wx = phone.wxGetUserInfo(profile("Band"));
        Map<String, Object> body = sealed(wx);
        body.put("rawData", wx.get("rawData").asString());
        body.put("signature", wx.get("signature").asString());

        JsonNode user = postWithToken("/api/v1/users/me/profile", token, body).expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(user.propertyNames()).containsExactlyInAnyOrder("nickName", "avatarUrl", "gender", "language", "city",
                "province", "country", "phoneNumber", "purePhoneNumber", "countryCode");
        assertThat(user.get("nickName").asString()).isEqualTo("Band");
        assertThat(user.get("gender").asInt()).isEqualTo(2);
        assertThat(user.get("city").asString()).isEqualTo("Shenzhen");
        assertThat(user.get("avatarUrl").asString()).isEqualTo("https://thirdwx.qlogo.cn/mmopen/vi_32/test/132");
        Map<String, Object> row = phone.row();
        assertThat(row.get("nick_name")).isEqualTo("Band");
        assertThat(row.get("language")).isEqualTo("en");
        assertThat(row.get("country")).isEqualTo("China");
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.nickName").isEqualTo("Band");
    }

    @Test
    void emojiNicknameRoundTripsThroughMysqlUnchanged() {
        String nickName = "🐼熊猫 Zoë 👨‍👩‍👧‍👦 🀄𝄞";
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();

        JsonNode user = postWithToken("/api/v1/users/me/profile", token, sealed(phone.wxGetUserInfo(profile(nickName))))
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(user.get("nickName").asString()).isEqualTo(nickName);
        assertThat(phone.row().get("nick_name")).isEqualTo(nickName);
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.nickName").isEqualTo(nickName);
    }

    @Test
    void r2dbcConnectionSpeaksUtf8mb4() {
        Map<String, Object> vars = db.sql("SELECT @@character_set_client AS client, @@character_set_connection AS connection,"
                + " @@character_set_results AS results").fetch().one().block(Duration.ofSeconds(5));

        assertThat(vars).containsEntry("client", "utf8mb4").containsEntry("connection", "utf8mb4")
                .containsEntry("results", "utf8mb4");
    }

    @Test
    void phoneNumberIsDecryptedStoredAndReturned() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();

        JsonNode user = postWithToken("/api/v1/users/me/phone", token, sealed(phone.wxGetPhoneNumber()))
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        String pure = user.get("purePhoneNumber").asString();
        assertThat(pure).matches("138\\d{8}");
        assertThat(user.get("phoneNumber").asString()).isEqualTo("+86" + pure);
        assertThat(user.get("countryCode").asString()).isEqualTo("86");
        Map<String, Object> row = phone.row();
        assertThat(row.get("pure_phone_number")).isEqualTo(pure);
        assertThat(row.get("phone_number")).isEqualTo("+86" + pure);
        assertThat(row.get("country_code")).isEqualTo("86");
    }

    @Test
    void seedStylePhoneRouteStoresThePhoneNumber() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.seedLogin();
        Map<String, Object> body = sealed(phone.wxGetPhoneNumber());
        body.put("token", token);

        JsonNode reply = post("/getphone/", body).expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(reply.propertyNames()).containsExactly("status", "msg", "data");
        assertThat(reply.get("status").asInt()).isEqualTo(0);
        assertThat(reply.get("data").propertyNames()).containsExactly("phoneNumber", "purePhoneNumber", "countryCode");
        assertThat(reply.get("data").get("countryCode").asString()).isEqualTo("86");
        assertThat(phone.row().get("pure_phone_number")).asString().matches("138\\d{8}");
    }

    @Test
    void unknownTokenIs401InProblemJsonAndInTheSeedShape() {
        SandboxPhone phone = SandboxPhone.newUser();
        phone.seedLogin();
        Map<String, Object> body = sealed(phone.wxGetUserInfo());
        String unknown = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

        postWithToken("/api/v1/users/me/profile", unknown, body).expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("session_expired").jsonPath("$.status").isEqualTo(401);
        // the seed's Django: HTTP 200 {'code':2,'msg':'无效的token'}, nothing else
        body.put("token", unknown);
        post("/getinfo/", body).expectStatus().isOk().expectBody().json(INVALID_TOKEN, JsonCompareMode.STRICT);
        body.put("token", "not a token at all");
        post("/getinfo/", body).expectStatus().isOk().expectBody().json(INVALID_TOKEN, JsonCompareMode.STRICT);
        post("/getphone/", body).expectStatus().isOk().expectBody().json(INVALID_TOKEN, JsonCompareMode.STRICT);
        assertThat(phone.row().get("nick_name")).isNull();
    }

    @Test
    void missingAuthorizationIs401() {
        gateway().get().uri("/api/v1/users/me").exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("missing_token");
        gateway().post().uri("/api/v1/users/me/phone").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Basic dXNlcjpwYXNz").bodyValue(Map.of("iv", "x", "encryptedData", "y"))
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    void oldTokenIsRejectedAfterANewLogin() {
        SandboxPhone phone = SandboxPhone.newUser();
        String old = phone.seedLogin();
        JsonNode sealedForOld = phone.wxGetUserInfo();
        phone.seedLogin();
        Map<String, Object> body = sealed(sealedForOld);
        body.put("token", old);

        post("/getinfo/", body).expectStatus().isOk().expectBody().json(INVALID_TOKEN, JsonCompareMode.STRICT);
        assertThat(phone.row().get("nick_name")).isNull();
    }

    @Test
    void tokenPastItsTtlIsRejected() throws InterruptedException {
        SandboxPhone phone = SandboxPhone.newUser();
        phone.seedLogin();
        SessionStore shortLived = new SessionStore(redis, new SessionProperties(Duration.ofSeconds(1)));
        String token = shortLived.open(phone.openid(), null, phone.sessionKey()).block(Duration.ofSeconds(5)).token();
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();

        Thread.sleep(2100);

        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("session_expired");
    }

    @Test
    void dataSealedWithAnEarlierSessionKeyIsRejected() {
        SandboxPhone phone = SandboxPhone.newUser();
        phone.apiLogin();
        JsonNode stale = phone.wxGetUserInfo();
        String token = phone.apiLogin(); // new session_key at WeChat and at the gateway

        postWithToken("/api/v1/users/me/profile", token, sealed(stale)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("bad_user_data");
        assertThat(phone.row().get("nick_name")).isNull();
    }

    @Test
    void everyBadInputGetsAClearErrorAndChangesNothing() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        JsonNode good = phone.wxGetUserInfo(profile("Before"));
        postWithToken("/api/v1/users/me/profile", token, sealed(good)).expectStatus().isOk();
        Map<String, Object> before = phone.row();
        JsonNode wx = phone.wxGetUserInfo(profile("After"));
        String iv = wx.get("iv").asString();
        String data = wx.get("encryptedData").asString();
        String sessionKey = phone.sessionKey();

        // missing or empty fields name the field on the API, and are the seed's 缺少参数 on its routes
        expectProblem(postWithToken("/api/v1/users/me/profile", token, Map.of("encryptedData", data)), 400, "bad_request", "iv");
        expectProblem(postWithToken("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", "")), 400, "bad_request", "encryptedData");
        post("/getinfo/", Map.of("iv", iv, "encryptedData", data)).expectStatus().isOk()
                .expectBody().json(MISSING_PARAMETER, JsonCompareMode.STRICT);
        post("/getinfo/", Map.of("encryptedData", data, "token", token)).expectStatus().isOk()
                .expectBody().json(MISSING_PARAMETER, JsonCompareMode.STRICT);
        post("/getphone/", Map.of("token", token)).expectStatus().isOk()
                .expectBody().json(MISSING_PARAMETER, JsonCompareMode.STRICT);
        // rawData without signature
        expectProblem(postWithToken("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", data,
                "rawData", wx.get("rawData").asString())), 400, "bad_request", "signature");
        // malformed JSON and an oversized body
        expectProblem(gateway().post().uri("/api/v1/users/me/profile").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue("{\"iv\":").exchange(), 400, "bad_request", "JSON");
        expectSeed(gateway().post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"iv\":\"" + "A".repeat(70_000) + "\"}").exchange(), 413, 1, "too large");
        // a forged signature, bad base64 and data sealed for another mini-program with the user's real
        // session_key: one and the same refusal (fewer than gateway.open-data.max-failures, so the session lives)
        String otherIv = Base64.getEncoder().encodeToString(new byte[16]);
        String foreign = "{\"openId\":\"" + phone.openid() + "\",\"nickName\":\"Foreign\","
                + "\"watermark\":{\"appid\":\"wx0000000000000000\",\"timestamp\":" + System.currentTimeMillis() / 1000 + "}}";
        expectRefused(postWithToken("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", data,
                "rawData", wx.get("rawData").asString().replace("After", "Forged"),
                "signature", wx.get("signature").asString())));
        expectRefused(postWithToken("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", "@@not base64@@")));
        expectRefused(postWithToken("/api/v1/users/me/profile", token, Map.of("iv", otherIv,
                "encryptedData", UserDataCipher.encrypt(sessionKey, foreign, otherIv))));
        post("/getinfo/", Map.of("iv", otherIv, "encryptedData", UserDataCipher.encrypt(sessionKey, foreign, otherIv), "token", token))
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.code").isEqualTo(3).jsonPath("$.msg").isEqualTo(UserDataRejected.DETAIL);

        assertThat(phone.row()).isEqualTo(before);
        assertThat(before.get("nick_name")).isEqualTo("Before");
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();
    }

    private static void expectRefused(WebTestClient.ResponseSpec response) {
        response.expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("bad_user_data")
                .jsonPath("$.detail").isEqualTo(UserDataRejected.DETAIL);
    }

    @Test
    void signedRawDataFromTheSandboxIsAcceptedOnTheSeedRoute() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.seedLogin();
        JsonNode wx = phone.wxGetUserInfo(profile("Signed ✅"));
        Map<String, Object> body = sealed(wx);
        body.put("token", token);
        body.put("rawData", wx.get("rawData").asString());
        body.put("signature", wx.get("signature").asString());

        post("/getinfo/", body).expectStatus().isOk().expectBody().jsonPath("$.data.name").isEqualTo("Signed ✅");
        assertThat(TestWorld.APPID).isNotBlank();
    }

    private static void expectProblem(WebTestClient.ResponseSpec response, int status, String code, String detailContains) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo(code)
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains(detailContains));
    }

    private static void expectSeed(WebTestClient.ResponseSpec response, int status, int seedCode, String msgContains) {
        response.expectStatus().isEqualTo(status)
                .expectBody()
                .jsonPath("$.code").isEqualTo(seedCode)
                .jsonPath("$.msg").value(m -> assertThat((String) m).contains(msgContains));
    }
}
