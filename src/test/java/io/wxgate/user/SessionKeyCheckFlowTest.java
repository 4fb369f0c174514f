package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * When open data fails to decrypt, the gateway asks WeChat's checksession whether the session's session_key is still
 * the user's: a replaced one ends the session with a clear "log in again"; a valid one means the data was bad.
 */
class SessionKeyCheckFlowTest extends IntegrationTest {

    /** Someone else exchanged a wx.login code for this user: WeChat now holds a new session_key, the gateway the old one. */
    private static void rotateSessionKeyAtWechat(SandboxPhone phone) {
        String code = phone.wxLogin();
        sandbox().get().uri(u -> u.path("/sns/jscode2session").queryParam("appid", TestWorld.APPID)
                        .queryParam("secret", TestWorld.SECRET).queryParam("js_code", code)
                        .queryParam("grant_type", "authorization_code").build())
                .exchange().expectStatus().isOk();
    }

    private static Map<String, Object> sealed(JsonNode wx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("iv", wx.get("iv").asString());
        body.put("encryptedData", wx.get("encryptedData").asString());
        return body;
    }

    @Test
    void aSessionKeyWechatHasReplacedEndsTheSessionWithAClearLogInAgain() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        rotateSessionKeyAtWechat(phone);

        gateway().post().uri("/api/v1/users/me/profile").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(sealed(phone.wxGetUserInfo())).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("session_key_expired")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("log in again"));

        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("session_expired");
        assertThat(phone.row().get("nick_name")).isNull();
    }

    @Test
    void onTheSeedRouteTheSameIsCode2AndLoggingInAgainWorks() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.seedLogin();
        rotateSessionKeyAtWechat(phone);
        Map<String, Object> body = sealed(phone.wxGetUserInfo());
        body.put("token", token);

        gateway().post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.code").isEqualTo(2).jsonPath("$.error").isEqualTo("session_key_expired");

        String fresh = phone.seedLogin();
        Map<String, Object> again = sealed(phone.wxGetUserInfo());
        again.put("token", fresh);
        gateway().post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON).bodyValue(again).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo(0);
    }

    @Test
    void badDataUnderAValidSessionKeyIsTheUniformRefusalAndTheSessionLives() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        Map<String, Object> body = sealed(phone.wxGetUserInfo());
        body.put("encryptedData", "AAAAAAAAAAAAAAAAAAAAAA==");

        gateway().post().uri("/api/v1/users/me/profile").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(body).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.detail").isEqualTo(UserDataRejected.DETAIL);
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();
    }
}
