package io.wxgate.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Login over real HTTP: the gateway on its port, the WeChat sandbox on its own, MariaDB and Redis behind. */
@ExtendWith(OutputCaptureExtension.class)
class LoginFlowTest extends IntegrationTest {

    private static WebTestClient.ResponseSpec post(String path, Object body) {
        return gateway().post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static WebTestClient.ResponseSpec me(String token) {
        return gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange();
    }

    @Test
    void seedLoginAnswersTokenInTheSeedShapeAndCreatesTheUser() {
        SandboxPhone phone = SandboxPhone.newUser();

        JsonNode reply = post("/login/", Map.of("code", phone.wxLogin())).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(reply.get("status").asInt()).isEqualTo(0);
        assertThat(reply.get("msg").asString()).isEqualTo("ok");
        assertThat(reply.get("data").get("token").asString()).matches("[A-Za-z0-9_-]{43}");
        assertThat(reply.get("data").propertyNames()).containsExactly("token");
        assertThat(phone.rowCount()).isEqualTo(1);
        me(reply.get("data").get("token").asString()).expectStatus().isOk();
    }

    @Test
    void apiLoginAnswers201WithTokenAndLifetimeOnly() {
        SandboxPhone phone = SandboxPhone.newUser();

        JsonNode reply = post("/api/v1/sessions", Map.of("code", phone.wxLogin())).expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(reply.propertyNames()).containsExactlyInAnyOrder("token", "expires_in");
        assertThat(reply.get("expires_in").asLong()).isEqualTo(7200);
        me(reply.get("token").asString()).expectStatus().isOk();
    }

    @Test
    void sessionKeySecretAndOpenidNeverReachResponsesOrLogs(CapturedOutput output) {
        SandboxPhone phone = SandboxPhone.newUser();
        String seedReply = post("/login/", Map.of("code", phone.wxLogin())).expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        String apiReply = post("/api/v1/sessions", Map.of("code", phone.wxLogin())).expectStatus().isCreated()
                .expectBody(String.class).returnResult().getResponseBody();
        String sessionKey = phone.sessionKey();

        assertThat(seedReply + apiReply).doesNotContain(sessionKey).doesNotContain(phone.openid());
        assertThat(output.getAll()).contains("login for " + OpenidMask.mask(phone.openid())) // the capture sees our log lines
                .doesNotContain(sessionKey).doesNotContain(phone.openid())
                .doesNotContain(io.wxgate.testing.TestWorld.SECRET);
    }

    @Test
    void unionidFromWechatIsStored() {
        SandboxPhone phone = SandboxPhone.newUser();
        String code = phone.wxLogin(Map.of("unionid", "oUnionTest" + phone.openid().substring(4, 14)));

        post("/api/v1/sessions", Map.of("code", code)).expectStatus().isCreated();

        assertThat(phone.row().get("unionid")).isEqualTo("oUnionTest" + phone.openid().substring(4, 14));
    }

    @Test
    void codeUsedTwiceIsRejectedAndIssuesNoSecondToken() {
        SandboxPhone phone = SandboxPhone.newUser();
        String code = phone.wxLogin();
        String token = post("/login/", Map.of("code", code)).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("data").get("token").asString();
        String sessionKey = phone.sessionKey();

        // the seed's Django: HTTP 200 {"status":2,"msg":"无效的code"}, nothing else
        post("/login/", Map.of("code", code)).expectStatus().isOk()
                .expectBody().json("{\"status\":2,\"msg\":\"无效的code\"}", JsonCompareMode.STRICT);
        post("/api/v1/sessions", Map.of("code", code)).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("invalid_code");

        // a second session would have replaced the first token; it still works, on the same session_key
        me(token).expectStatus().isOk();
        assertThat(phone.sessionKey()).isEqualTo(sessionKey);
        assertThat(phone.rowCount()).isEqualTo(1);
    }

    @Test
    void unknownOrMalformedCodeIsInvalidCodeInTheSeedsExactShape() {
        post("/login/", Map.of("code", "nosuchcode0000000000000000000000")).expectStatus().isOk()
                .expectBody().json("{\"status\":2,\"msg\":\"无效的code\"}", JsonCompareMode.STRICT);
        // the seed sent any code to WeChat, which refused this one just the same
        post("/login/", Map.of("code", "has spaces in it")).expectStatus().isOk()
                .expectBody().json("{\"status\":2,\"msg\":\"无效的code\"}", JsonCompareMode.STRICT);
        post("/api/v1/sessions", Map.of("code", "nosuchcode0000000000000000000000")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid_code");
    }

    @Test
    void newLoginForTheSameUserInvalidatesTheOldToken() {
        SandboxPhone phone = SandboxPhone.newUser();
        String first = phone.seedLogin();
        String second = phone.apiLogin();

        me(first).expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("session_expired");
        me(second).expectStatus().isOk();
        assertThat(second).isNotEqualTo(first);
        assertThat(phone.rowCount()).isEqualTo(1);
    }

    @Test
    void missingOrEmptyCodeIsTheSeedsMissingParameterAnd400NamingTheFieldOnTheApi() {
        post("/login/", Map.of()).expectStatus().isOk()
                .expectBody().json("{\"status\":1,\"msg\":\"缺少参数\"}", JsonCompareMode.STRICT);
        post("/login/", Map.of("code", "")).expectStatus().isOk()
                .expectBody().json("{\"status\":1,\"msg\":\"缺少参数\"}", JsonCompareMode.STRICT);
        post("/api/v1/sessions", Map.of("code", "  ")).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("bad_request").jsonPath("$.detail").value(m -> assertThat((String) m).contains("code"));
        gateway().post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.detail").value(m -> assertThat((String) m).contains("code"));
    }

    @Test
    void malformedJsonIs400() {
        gateway().post().uri("/login/").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"code\": ")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.status").isEqualTo(1);
        gateway().post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON).bodyValue("[1,2")
                .exchange().expectStatus().isBadRequest().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void oversizedBodyIs413() {
        String huge = "{\"code\":\"" + "a".repeat(70_000) + "\"}";
        gateway().post().uri("/login/").contentType(MediaType.APPLICATION_JSON).bodyValue(huge)
                .exchange().expectStatus().isEqualTo(413).expectBody().jsonPath("$.status").isEqualTo(1);
        gateway().post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON).bodyValue(huge)
                .exchange().expectStatus().isEqualTo(413).expectBody().jsonPath("$.code").isEqualTo("body_too_large");
    }

    @Test
    void codeThatCannotBeAWxLoginCodeIsRejectedWithoutAskingWechat() {
        post("/api/v1/sessions", Map.of("code", "x".repeat(200))).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("bad_request");
        post("/api/v1/sessions", Map.of("code", "has spaces in it")).expectStatus().isBadRequest();
    }

    @Test
    void wechatRateLimitIs429() {
        SandboxPhone phone = SandboxPhone.newUser();
        post("/api/v1/sessions", Map.of("code", phone.wxLogin(Map.of("errcode", 45011)))).expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_rate_limited");
        post("/login/", Map.of("code", phone.wxLogin(Map.of("errcode", 45011)))).expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.status").isEqualTo(4).jsonPath("$.error").isEqualTo("wechat_rate_limited");
        assertThat(phone.row()).isNull();
    }

    @Test
    void highRiskUserIs403() {
        SandboxPhone phone = SandboxPhone.newUser();
        post("/api/v1/sessions", Map.of("code", phone.wxLogin(Map.of("errcode", 40226)))).expectStatus().isForbidden()
                .expectBody().jsonPath("$.code").isEqualTo("high_risk_user");
        assertThat(phone.row()).isNull();
    }

    @Test
    void busyWechatIs503() {
        SandboxPhone phone = SandboxPhone.newUser();
        post("/api/v1/sessions", Map.of("code", phone.wxLogin(Map.of("errcode", -1)))).expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_busy");
    }

    @Test
    void otherWechatErrcodeIs502NamingIt() {
        SandboxPhone phone = SandboxPhone.newUser();
        post("/api/v1/sessions", Map.of("code", phone.wxLogin(Map.of("errcode", 40099)))).expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_error")
                .jsonPath("$.detail").value(m -> assertThat((String) m).contains("40099"));
    }

    @Test
    void wechatThatDoesNotAnswerInTimeIs504() {
        SandboxPhone phone = SandboxPhone.newUser();
        // the gateway waits wechat.miniapp.response-timeout (5 s by default) for jscode2session
        post("/api/v1/sessions", Map.of("code", phone.wxLogin(Map.of("delayMs", 8000)))).expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.code").isEqualTo("wechat_timeout");
        assertThat(phone.row()).isNull();
    }
}
