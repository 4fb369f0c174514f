package io.wxgate;

import io.wxgate.testing.IntegrationTest;
import org.junit.jupiter.api.Test;

class HealthTest extends IntegrationTest {

    @Test
    void gatewayReportsUpWithDatabaseAndRedis() {
        gateway().get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void pingAnswersNoContentWithoutTouchingAnything() {
        gateway().get().uri("/api/v1/ping").exchange()
                .expectStatus().isNoContent()
                .expectBody().isEmpty();
    }
}
