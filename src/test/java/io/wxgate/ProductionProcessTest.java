package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.GatewayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One gateway in its own JVM with the prod profile (config/application-prod.yml), as the image runs it: its log is
 * structured JSON with openids masked (logging is set up once per JVM, hence a process of its own), and SIGTERM shuts
 * it down gracefully under load. The shutdown test runs last: it ends the process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionProcessTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static GatewayProcess gateway;

    @BeforeAll
    static void start() {
        // with the opt-in "auto" context propagation, so every JSON line of a request carries its trace id
        gateway = GatewayProcess.start(Map.of("spring.profiles.active", "prod", "wechat.pay.reconciler.enabled", "false",
                "spring.reactor.context-propagation", "auto"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void prodProfileWritesJsonLinesWithTheOpenidMasked() {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        phone.apiLogin();
        String sessionKey = phone.sessionKey();
        String openid = phone.openid();
        String masked = "login for " + openid.substring(0, 4) + "***" + openid.substring(openid.length() - 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.output().contains(masked));

        List<String> lines = gateway.output().lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(5).allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        List<JsonNode> logins = lines.stream().map(JSON::readTree)
                .filter(json -> json.path("message").asString("").equals(masked)).toList();
        assertThat(logins).hasSize(1);
        assertThat(logins.get(0).toString()).contains("\"wxgate\"", "INFO", "io.wxgate.login.LoginService");
        assertThat(gateway.output()).doesNotContain(openid).doesNotContain(sessionKey);
    }

    @Test
    @Order(2)
    void prodProfileJsonLinesCarryTheRequestsTraceId() throws Exception {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        HttpRequest login = HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/sessions"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-00")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + phone.wxLogin() + "\"}"))
                .build();
        assertThat(HTTP.send(login, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        String openid = phone.openid();
        String masked = "login for " + openid.substring(0, 4) + "***" + openid.substring(openid.length() - 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.output().contains(masked));

        JsonNode line = gateway.output().lines().filter(l -> l.contains(masked)).map(JSON::readTree)
                .findFirst().orElseThrow();
        assertThat(line.path("traceId").asString("")).as(line.toString()).isEqualTo(traceId);
        assertThat(line.path("spanId").asString("")).as(line.toString()).matches("[0-9a-f]{16}");
    }

    @Test
    @Order(3)
    void sigtermLeavesReadinessFinishesInFlightRequestsAndExits() throws Exception {
        // six logins in flight, "WeChat" answering each after 3 s
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String code = SandboxPhone.newUser(gateway.url()).wxLogin(Map.of("delayMs", 3000));
            HttpRequest login = HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/sessions"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
                    .build();
            inFlight.add(HTTP.sendAsync(login, HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(1000); // the test's own thread: let every login reach the gateway and wait on "WeChat"
        assertThat(inFlight).noneMatch(CompletableFuture::isDone);
        assertThat(gateway.probe("/actuator/health/readiness")).isEqualTo(200);

        long terminatedAt = System.nanoTime();
        gateway.terminate();
        Thread.sleep(300);
        assertThat(gateway.probe("/actuator/health/readiness")).as("readiness after SIGTERM").isNotEqualTo(200);
        assertThat(inFlight).as("still answering the logins taken before SIGTERM").anyMatch(f -> !f.isDone());

        for (CompletableFuture<HttpResponse<String>> login : inFlight) {
            HttpResponse<String> answer = login.get(20, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
            assertThat(answer.body()).contains("\"token\"");
        }
        int exit = gateway.awaitExit(Duration.ofSeconds(25));
        assertThat(Duration.ofNanos(System.nanoTime() - terminatedAt)).isLessThan(Duration.ofSeconds(25));
        assertThat(exit).as("exit code on SIGTERM (128 + 15)").isEqualTo(143);
        assertThat(gateway.output()).contains("Commencing graceful shutdown").contains("Graceful shutdown complete");
    }
}
