package io.wxgate.testing;

import io.wxgate.WxgateApplication;
import java.time.Duration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the tests that run the whole gateway on its real port, against real MariaDB and Redis
 * and the WeChat sandbox, talking to both over real HTTP. BlockHound watches every request thread.
 */
@SpringBootTest(classes = WxgateApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
public abstract class IntegrationTest {

    @DynamicPropertySource
    static void world(DynamicPropertyRegistry registry) {
        TestWorld.get().register(registry);
    }

    protected static TestWorld world() {
        return TestWorld.get();
    }

    protected static WebTestClient gateway() {
        return WebTestClient.bindToServer().baseUrl(world().gatewayUrl()).responseTimeout(Duration.ofSeconds(20)).build();
    }

    protected static WebTestClient sandbox() {
        return WebTestClient.bindToServer().baseUrl(world().sandboxUrl()).responseTimeout(Duration.ofSeconds(20)).build();
    }
}
