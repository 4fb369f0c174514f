package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Probes and metrics answer on the management port only; the public port knows nothing of /actuator. */
class HealthTest extends IntegrationTest {

    @Value("${local.management.port}")
    int managementPort;

    private WebTestClient management() {
        // a scrape after the whole suite's requests is larger than WebClient's default 256 KB buffer
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .responseTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void gatewayReportsUpWithDatabaseAndRedisOnTheManagementPort() {
        management().get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        management().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }

    @Test
    void prometheusIsOnTheManagementPortAndNotOnThePublicOne() {
        assertThat(managementPort).isNotEqualTo(Integer.parseInt(world().gatewayUrl().replaceAll(".*:", "")));
        gateway().get().uri("/actuator/prometheus").exchange().expectStatus().isNotFound();
        gateway().get().uri("/actuator/health").exchange().expectStatus().isNotFound();
        gateway().get().uri("/actuator").exchange().expectStatus().isNotFound();

        String metrics = management().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("jvm_memory_used_bytes");
        // per-route latency histograms of the public port (the 404s above among them), and Redis command latency
        assertThat(metrics).contains("http_server_requests_seconds_bucket{").contains("lettuce_seconds_count");
    }

    @Test
    void pingAnswersNoContentWithoutTouchingAnything() {
        gateway().get().uri("/api/v1/ping").exchange()
                .expectStatus().isNoContent()
                .expectBody().isEmpty();
    }
}
