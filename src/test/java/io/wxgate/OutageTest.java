package io.wxgate;

import static io.wxgate.pay.PayFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.pay.PayFixtures;
import io.wxgate.testing.GatewayInstance;
import io.wxgate.testing.TcpProxy;
import io.wxgate.testing.TestServers;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Redis or MySQL going away (proxies this test starts and cuts, never the shared servers): requests fail fast with
 * 503 and Retry-After, readiness reports the outage and liveness does not, and service resumes by itself when the
 * store is back.
 */
class OutageTest {

    private static TcpProxy redis;
    private static TcpProxy database;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        TestServers servers = TestWorld.get().servers();
        redis = new TcpProxy("127.0.0.1", servers.redisPort());
        database = new TcpProxy("127.0.0.1", servers.mysqlPort());
        gateway = GatewayInstance.start(Map.of(
                "spring.data.redis.port", redis.port(),
                "spring.r2dbc.url", TestServers.r2dbcUrl("127.0.0.1", database.port()),
                "wechat.pay.reconciler.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        redis.close();
        database.close();
    }

    @AfterEach
    void storesBack() {
        redis.restore();
        database.restore();
    }

    private static WebTestClient client(String url) {
        return WebTestClient.bindToServer().baseUrl(url).responseTimeout(Duration.ofSeconds(20)).build();
    }

    /** The status of one GET, or -1 when no answer came within 10 s (polled while a store comes back). */
    private static int status(String url, String path, String token) {
        try {
            return WebTestClient.bindToServer().baseUrl(url).responseTimeout(Duration.ofSeconds(10)).build()
                    .get().uri(path).header("Authorization", "Bearer " + token).exchange()
                    .returnResult(String.class).getStatus().value();
        } catch (IllegalStateException noAnswerYet) {
            return -1;
        }
    }

    private static void assertStoreDownAnswer(String token) {
        long started = System.nanoTime();
        client(gateway.url()).get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody().jsonPath("$.code").isEqualTo("store_unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("fails fast").isLessThan(Duration.ofSeconds(8));
    }

    private static void assertReadinessDownLivenessUp() {
        await(Duration.ofSeconds(30), "readiness to report the outage",
                () -> status(gateway.managementUrl(), "/actuator/health/readiness", "") == 503);
        assertThat(status(gateway.managementUrl(), "/actuator/health/liveness", "")).isEqualTo(200);
    }

    private static void assertServiceResumes(String token) {
        await(Duration.ofSeconds(60), "service to resume by itself",
                () -> status(gateway.url(), "/api/v1/users/me", token) == 200);
        await(Duration.ofSeconds(60), "readiness to come back",
                () -> status(gateway.managementUrl(), "/actuator/health/readiness", "") == 200);
    }

    private static String loggedInUser() {
        String token = PayFixtures.login(client(gateway.url()), client(TestWorld.get().sandboxUrl()));
        assertThat(status(gateway.url(), "/api/v1/users/me", token)).isEqualTo(200);
        return token;
    }

    @Test
    void redisOutage() {
        String token = loggedInUser();
        redis.cut();
        assertStoreDownAnswer(token);
        assertReadinessDownLivenessUp();
        redis.restore();
        assertServiceResumes(token);
    }

    @Test
    void mysqlOutage() {
        String token = loggedInUser();
        database.cut();
        assertStoreDownAnswer(token);
        assertReadinessDownLivenessUp();
        database.restore();
        assertServiceResumes(token);
    }
}
