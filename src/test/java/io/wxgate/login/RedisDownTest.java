package io.wxgate.login;

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

/** A gateway whose Redis is not there: it still starts, and logins and token checks answer 503, never 500. */
@SpringBootTest(classes = WxgateApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class RedisDownTest {

    private static final int PORT = EmbeddedServers.freePort();
    private static final int NO_REDIS = EmbeddedServers.freePort();

    @DynamicPropertySource
    static void redisNowhere(DynamicPropertyRegistry registry) {
        TestWorld.get().register(registry);
        registry.add("server.port", () -> PORT);
        registry.add("spring.data.redis.port", () -> NO_REDIS);
    }

    private final WebTestClient gateway = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + PORT)
            .responseTimeout(Duration.ofSeconds(20)).build();

    @Test
    void loginAndTokenChecksAnswer503WhileRedisIsDown() {
        SandboxPhone phone = SandboxPhone.newUser();

        gateway.post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", phone.wxLogin())).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody().jsonPath("$.code").isEqualTo("store_unavailable");
        gateway.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", phone.wxLogin())).exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.status").isEqualTo(5);
        gateway.get().uri("/api/v1/users/me").header("Authorization", "Bearer " + "A".repeat(43)).exchange()
                .expectStatus().isEqualTo(503);
    }
}
