package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.IntegrationTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The nickname input, the current way: checked with WeChat's msg_sec_check (the sandbox's), stored only on pass. */
class NicknameFlowTest extends IntegrationTest {

    private static WebTestClient.ResponseSpec nickname(String token, Object body) {
        return gateway().put().uri("/api/v1/users/me/nickname").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(body).exchange();
    }

    @Test
    void aNicknameThatPassesIsStoredEmojiAndAll() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();

        nickname(token, Map.of("nickName", "小熊🐻 Zoë")).expectStatus().isOk()
                .expectBody().jsonPath("$.nickName").isEqualTo("小熊🐻 Zoë");

        assertThat(user.row().get("nick_name")).isEqualTo("小熊🐻 Zoë");
    }

    @Test
    void riskyOrReviewNicknamesAreRefusedAndStoreNothing() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();
        nickname(token, Map.of("nickName", "Before")).expectStatus().isOk();

        nickname(token, Map.of("nickName", "去赌博吧")).expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("content_refused")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("risky"));
        nickname(token, Map.of("nickName", "sandbox-review me")).expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("review"));

        assertThat(user.row().get("nick_name")).isEqualTo("Before");
    }

    @Test
    void emptyOverlongOrMissingNicknamesAreBadRequestsWithoutAskingWechat() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();
        Map<String, Object> none = new HashMap<>();
        none.put("nickName", null);

        nickname(token, Map.of("nickName", "  ")).expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("bad_request");
        nickname(token, Map.of("nickName", "😀".repeat(101))).expectStatus().isBadRequest();
        nickname(token, Map.of("nickName", "tab\there")).expectStatus().isBadRequest();
        nickname(token, none).expectStatus().isBadRequest();
        gateway().put().uri("/api/v1/users/me/nickname").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("nickName", "x")).exchange().expectStatus().isUnauthorized();

        assertThat(user.row().get("nick_name")).isNull();
    }
}
