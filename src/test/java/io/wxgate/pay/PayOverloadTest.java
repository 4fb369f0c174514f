package io.wxgate.pay;

import static io.wxgate.pay.PayFixtures.count;
import static io.wxgate.pay.PayFixtures.login;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * A gateway far busier than its WeChat Pay gate allows (2 calls in flight, 2 waiting, WeChat Pay answering after
 * 400 ms): the excess is refused at once with 503 and Retry-After, every admitted order completes, a refused
 * order leaves no row, and the breaker, which judges WeChat Pay and not us, stays closed.
 */
class PayOverloadTest {

    private static OwnGateway gateway;

    @BeforeAll
    static void startNarrowGateway() {
        gateway = OwnGateway.start(Map.of(
                "wechat.pay.gate.min-limit", "2",
                "wechat.pay.gate.max-limit", "2",
                "wechat.pay.gate.max-queue", "2",
                "wechat.pay.gate.max-wait", "3s",
                "wechat.pay.breaker.sliding-window-size", "4",
                "wechat.pay.breaker.minimum-number-of-calls", "4"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void healthySandbox() {
        sandbox().delete().uri("/sandbox/faults").exchange().expectStatus().isOk();
    }

    private static WebTestClient sandbox() {
        return WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl()).build();
    }

    @Test
    void theExcessIsRefusedFastAdmittedOrdersCompleteAndRefusedOnesLeaveNoRow() {
        String openid = PayFixtures.newOpenid();
        String token = login(gateway.client(), sandbox(), openid);
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("latencyMs", 400)).exchange().expectStatus().isOk();

        WebClient http = WebClient.create(gateway.url());
        List<ResponseEntity<String>> answers = Flux.range(0, 20)
                .flatMap(i -> http.post().uri("/api/v1/pay/orders")
                        .header("Authorization", "Bearer " + token)
                        .header("Idempotency-Key", UUID.randomUUID().toString())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("total_fee", 1))
                        .exchangeToMono(r -> r.toEntity(String.class)), 20)
                .collectList().block(Duration.ofSeconds(30));

        List<ResponseEntity<String>> created = answers.stream().filter(a -> a.getStatusCode().value() == 201).toList();
        List<ResponseEntity<String>> refused = answers.stream().filter(a -> a.getStatusCode().value() == 503).toList();
        assertThat(created.size() + refused.size()).as("only 201 or 503").isEqualTo(20);
        assertThat(created).hasSizeGreaterThanOrEqualTo(4);
        assertThat(refused).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getHeaders().getFirst("Retry-After")).matches("[1-9][0-9]*");
            assertThat(a.getBody()).contains("\"code\":\"overloaded\"");
        });
        assertThat(count("SELECT COUNT(*) FROM pay_order WHERE openid = ?", openid))
                .as("one row per created order, none for a refused one").isEqualTo(created.size());
        assertThat(count("SELECT COUNT(*) FROM pay_order WHERE openid = ? AND prepay_id IS NULL", openid)).isZero();
        assertThat(gateway.bean(CircuitBreaker.class).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void theSeedPayRouteAnswersOverloadInTheSeedsShape() {
        String token = login(gateway.client(), sandbox());
        sandbox().put().uri("/sandbox/faults").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("latencyMs", 400)).exchange().expectStatus().isOk();

        WebClient http = WebClient.create(gateway.url());
        List<ResponseEntity<String>> answers = Flux.range(0, 12)
                .flatMap(i -> http.post().uri("/pay/").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("money", 1, "token", token))
                        .exchangeToMono(r -> r.toEntity(String.class)), 12)
                .collectList().block(Duration.ofSeconds(30));

        assertThat(answers).filteredOn(a -> a.getStatusCode().value() == 503).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getBody()).contains("\"code\":5").contains("\"error\":\"overloaded\""));
        assertThat(answers).filteredOn(a -> a.getStatusCode().value() == 200).isNotEmpty();
    }
}
