package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.GatewayProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prod profile (config/application-prod.yml) logs one JSON object per line (Spring Boot's structured logging,
 * ECS), and openids stay masked in it. A gateway process of its own: logging is set up once per JVM.
 */
class StructuredLoggingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void prodProfileWritesJsonLinesWithTheOpenidMasked() {
        try (GatewayProcess gateway = GatewayProcess.start(Map.of("spring.profiles.active", "prod"))) {
            SandboxPhone phone = SandboxPhone.newUser(gateway.url());
            phone.apiLogin();
            String sessionKey = phone.sessionKey();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.output().contains("login for"));

            List<String> lines = gateway.output().lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).hasSizeGreaterThan(5).allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
            List<JsonNode> logins = lines.stream().map(JSON::readTree)
                    .filter(json -> json.path("message").asString("").startsWith("login for")).toList();
            assertThat(logins).hasSize(1);
            String openid = phone.openid();
            assertThat(logins.get(0).get("message").asString())
                    .isEqualTo("login for " + openid.substring(0, 4) + "***" + openid.substring(openid.length() - 2));
            assertThat(logins.get(0).toString()).contains("\"wxgate\"", "INFO", "io.wxgate.login.LoginService");
            assertThat(gateway.output()).doesNotContain(openid).doesNotContain(sessionKey);
        }
    }
}
