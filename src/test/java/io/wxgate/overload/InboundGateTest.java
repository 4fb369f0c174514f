package io.wxgate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TestWorld;
import io.wxgate.web.ErrorResponses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class InboundGateTest {

    private static InboundGate gate(int initial) {
        OverloadProperties properties = new OverloadProperties(true, Duration.ofMillis(25), Duration.ofMillis(50),
                initial, 10, 1000, Duration.ofSeconds(5), 100);
        return new InboundGate(properties, new SimpleMeterRegistry(), new ErrorResponses(), ServerCodecConfigurer.create());
    }

    @Test
    void lateEventLoopsShrinkTheLimitDownToItsFloor() {
        InboundGate inbound = gate(100);
        inbound.adjust(Duration.ofMillis(200).toNanos());
        assertThat(inbound.gate().limit()).isEqualTo(90);
        for (int i = 0; i < 100; i++) {
            inbound.adjust(Duration.ofMillis(200).toNanos());
        }
        assertThat(inbound.gate().limit()).isEqualTo(10);
    }

    @Test
    void loopsThatKeepUpGrowTheLimitOnlyWhileRequestsWait() {
        InboundGate inbound = gate(10);
        inbound.adjust(Duration.ofMillis(1).toNanos());
        assertThat(inbound.gate().limit()).as("nobody waits: no reason to grow").isEqualTo(10);

        List<Sinks.One<String>> held = java.util.stream.Stream.generate(Sinks::<String>one).limit(11).toList();
        held.forEach(sink -> inbound.gate().admit(sink.asMono()).subscribe());
        assertThat(inbound.gate().queued()).isEqualTo(1);

        inbound.adjust(Duration.ofMillis(1).toNanos());
        assertThat(inbound.gate().limit()).isEqualTo(11);
        assertThat(inbound.gate().queued()).as("the waiter got the new slot").isZero();
        held.forEach(sink -> sink.tryEmitValue("done"));
    }

    @Test
    void overAHttpGatewayTheExcessGetsA503InTheRoutesShapeAndTheNotifyIsNeverShed() {
        try (OwnGateway gateway = OwnGateway.start(Map.of(
                "gateway.overload.enabled", "true",
                "gateway.overload.initial-limit", "1",
                "gateway.overload.min-limit", "1",
                "gateway.overload.max-limit", "1",
                "gateway.overload.max-queue", "0"))) {
            WebClient sandbox = WebClient.create(TestWorld.get().sandboxUrl());
            WebClient http = WebClient.create(gateway.url());
            // one login WeChat answers after 1.5 s holds the only slot
            String slowCode = (String) sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("appid", TestWorld.APPID, "delayMs", 1500)).retrieve().bodyToMono(Map.class)
                    .block(Duration.ofSeconds(5)).get("code");
            Mono<ResponseEntity<String>> slowLogin = http.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("code", slowCode)).exchangeToMono(r -> r.toEntity(String.class)).cache();
            slowLogin.subscribe();
            await(() -> gateway.bean(InboundGate.class).gate().inFlight() == 1);

            ResponseEntity<String> seed = http.post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("token", "x")).exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
            ResponseEntity<String> api = http.get().uri("/api/v1/users/me")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
            ResponseEntity<String> notify = http.post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML)
                    .bodyValue("<xml><return_code>SUCCESS</return_code></xml>")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));

            assertThat(seed.getStatusCode().value()).isEqualTo(503);
            assertThat(seed.getHeaders().getFirst("Retry-After")).isNotBlank();
            assertThat(seed.getBody()).contains("\"code\":5").contains("\"error\":\"overloaded\"");
            assertThat(api.getStatusCode().value()).isEqualTo(503);
            assertThat(api.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(notify.getStatusCode().value()).as("judged, not shed").isEqualTo(200);
            assertThat(notify.getBody()).contains("FAIL");
            assertThat(slowLogin.block(Duration.ofSeconds(10)).getStatusCode().value()).as("the admitted one completes")
                    .isEqualTo(200);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
