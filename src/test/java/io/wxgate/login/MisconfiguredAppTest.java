package io.wxgate.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.WxgateApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A gateway deployed with the wrong app secret: WeChat's refusal reaches the client as a clear 502, nothing is stored. */
@SpringBootTest(classes = WxgateApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class MisconfiguredAppTest {

    private static final int PORT = EmbeddedServers.freePort();

    @DynamicPropertySource
    static void wrongSecret(DynamicPropertyRegistry registry) {
        TestWorld.get().register(registry);
        registry.add("server.port", () -> PORT);
        registry.add("wechat.miniapp.secret", () -> "not-the-secret-wechat-knows");
    }

    private final WebTestClient gateway = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + PORT)
            .responseTimeout(Duration.ofSeconds(20)).build();

    @Test
    void wrongSecretIsReportedAsWechatErrorNamingTheErrcode() {
        SandboxPhone phone = SandboxPhone.newUser();

        gateway.post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", phone.wxLogin())).exchange()
                .expectStatus().isEqualTo(502)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("wechat_error")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("40125").doesNotContain("not-the-secret"));
        gateway.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", phone.wxLogin())).exchange()
                .expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.status").isEqualTo(4).jsonPath("$.error").isEqualTo("wechat_error");

        assertThat(phone.row()).isNull();
    }
}
