package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Phone numbers the current way, over real HTTP: the sandbox's getPhoneNumber button hands out a one-time code,
 * the gateway exchanges it at getuserphonenumber with the shared access_token and stores the number.
 */
@ExtendWith(OutputCaptureExtension.class)
class PhoneByCodeFlowTest extends IntegrationTest {

    private static WebTestClient.ResponseSpec phone(String token, Object body) {
        return gateway().post().uri("/api/v1/users/me/phone").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(body).exchange();
    }

    private static WebTestClient.ResponseSpec seed(Object body) {
        return gateway().post().uri("/getphone/").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static int issued() {
        return sandbox().get().uri("/sandbox/access-tokens?appid=" + TestWorld.APPID).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("issued").asInt();
    }

    private static void control(String action) {
        sandbox().post().uri("/sandbox/access-tokens/" + action).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID)).exchange().expectStatus().isOk();
    }

    @Test
    void aPhoneCodeIsExchangedStoredAndReturnedAndCannotBeUsedTwice(CapturedOutput output) {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();
        String code = user.wxGetPhoneCode();

        JsonNode profile = phone(token, Map.of("code", code)).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        String pure = profile.get("purePhoneNumber").asString();
        assertThat(pure).matches("138\\d{8}");
        assertThat(profile.get("phoneNumber").asString()).isEqualTo(pure);
        assertThat(profile.get("countryCode").asString()).isEqualTo("86"); // WeChat sent the number 86
        assertThat(user.row().get("pure_phone_number")).isEqualTo(pure);
        assertThat(user.row().get("country_code")).isEqualTo("86");

        phone(token, Map.of("code", code)).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("invalid_phone_code");
        String cachedToken = redisToken();
        assertThat(cachedToken).isNotBlank();
        assertThat(output.getAll()).doesNotContain(cachedToken).doesNotContain(TestWorld.SECRET);
    }

    @Test
    void theSeedStyleRouteTakesCodeAndToken() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.seedLogin();

        JsonNode reply = seed(Map.of("code", user.wxGetPhoneCode(), "token", token)).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(reply.get("status").asInt()).isZero();
        assertThat(reply.get("msg").asString()).isEqualTo("ok");
        assertThat(reply.get("data").get("purePhoneNumber").asString()).isEqualTo(user.row().get("pure_phone_number"));
        seed(Map.of("code", user.wxGetPhoneCode())).expectStatus().isOk()
                .expectBody().jsonPath("$.code").isEqualTo(1).jsonPath("$.msg").isEqualTo("缺少参数");
        seed(Map.of("code", user.wxGetPhoneCode(), "token", "A".repeat(43))).expectStatus().isOk()
                .expectBody().jsonPath("$.code").isEqualTo(2).jsonPath("$.msg").isEqualTo("无效的token");
    }

    @Test
    void badCodesAndABusyWechatAreClearErrorsAndStoreNothing() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();

        phone(token, Map.of("code", "made-up-code")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid_phone_code");
        // a code the other mini-program's button issued
        sandbox().post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.OTHER_APPID, "openid", user.openid())).exchange().expectStatus().isOk();
        phone(token, Map.of("code", user.wxGetPhoneCode(Map.of("appid", TestWorld.OTHER_APPID)))).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid_phone_code");
        phone(token, Map.of("code", user.wxGetPhoneCode(Map.of("errcode", 45011)))).expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_rate_limited");
        phone(token, Map.of("code", user.wxGetPhoneCode(Map.of("errcode", -1)))).expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_busy");
        phone(token, Map.of("code", user.wxGetPhoneCode(Map.of("errcode", 40013)))).expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_misconfigured");
        phone(token, Map.of()).expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("bad_request");

        assertThat(user.row().get("phone_number")).isNull();
    }

    @Test
    void anInvalidatedOrExpiredAccessTokenMidFlightIsReplacedOnceAndTheCallRetried() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();
        phone(token, Map.of("code", user.wxGetPhoneCode())).expectStatus().isOk();
        String before = redisToken();
        int issuedBefore = issued();

        control("invalidate"); // WeChat now answers 40001 for the token every instance holds
        phone(token, Map.of("code", user.wxGetPhoneCode())).expectStatus().isOk();
        String afterInvalidation = redisToken();
        assertThat(afterInvalidation).isNotEqualTo(before);
        assertThat(issued()).isEqualTo(issuedBefore + 1);

        control("expire"); // 42001
        phone(token, Map.of("code", user.wxGetPhoneCode())).expectStatus().isOk();
        assertThat(redisToken()).isNotIn(before, afterInvalidation);
        assertThat(issued()).isEqualTo(issuedBefore + 2);
        // and the token is reused while it is valid
        phone(token, Map.of("code", user.wxGetPhoneCode())).expectStatus().isOk();
        assertThat(issued()).isEqualTo(issuedBefore + 2);
    }

    static String redisToken() {
        try (var redis = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + TestWorld.get().servers().redisPort())) {
            try (var connection = redis.connect()) {
                return connection.sync().hget("wxgate:access-token:" + TestWorld.APPID, "token");
            }
        }
    }
}
