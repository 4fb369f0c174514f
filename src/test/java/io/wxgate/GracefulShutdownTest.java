package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a gateway process while logins are in flight (WeChat answering each after 3 s): readiness stops
 * answering 200 at once, every request already taken is answered normally, and the process exits well within the
 * pod's grace period.
 */
class GracefulShutdownTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermLeavesReadinessFinishesInFlightRequestsAndExits() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(Map.of("wechat.pay.reconciler.enabled", "false"))) {
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
            Thread.sleep(1000); // test thread: let every login reach the gateway and wait on "WeChat"
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
}
