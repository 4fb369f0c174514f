package io.wxgate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TestWorld;
import io.wxgate.web.ErrorResponses;
import io.wxgate.web.HttpLimits;
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
        return new InboundGate(properties, new SimpleMeterRegistry(), new ErrorResponses(), ServerCodecConfigurer.create(),
                new HttpLimits(65536, List.of(), 4096));
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
        try (OwnGateway gateway = oneSlotGateway()) {
            WebClient http = WebClient.create(gateway.url());
            ConcurrencyGate inbound = gateway.bean(InboundGate.class).gate();
            // the start's own warm-up requests are done; then local work in progress holds the only slot
            await(() -> inbound.inFlight() == 0 && inbound.queued() == 0);
            Sinks.One<String> busy = Sinks.one();
            List<Throwable> refused = new java.util.ArrayList<>();
            inbound.admit(busy.asMono()).subscribe(value -> { }, refused::add);
            assertThat(refused).isEmpty();
            assertThat(inbound.inFlight()).isEqualTo(1);

            ResponseEntity<String> seed = post(http, "/getinfo/", Map.of("token", "x"));
            ResponseEntity<String> login = post(http, "/login/", Map.of("code", "x"));
            ResponseEntity<String> api = http.get().uri("/api/v1/users/me")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
            ResponseEntity<String> notify = http.post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML)
                    .bodyValue("<xml><return_code>SUCCESS</return_code></xml>")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));

            assertThat(seed.getStatusCode().value()).isEqualTo(503);
            assertThat(seed.getHeaders().getFirst("Retry-After")).isNotBlank();
            assertThat(seed.getBody()).contains("\"code\":5").contains("\"error\":\"overloaded\"");
            assertThat(login.getStatusCode().value()).isEqualTo(503);
            assertThat(login.getBody()).contains("\"status\":5");
            assertThat(api.getStatusCode().value()).isEqualTo(503);
            assertThat(api.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(notify.getStatusCode().value()).as("judged, not shed").isEqualTo(200);
            assertThat(notify.getBody()).contains("FAIL");

            busy.tryEmitValue("done");
            assertThat(inbound.inFlight()).isZero();
            assertThat(post(http, "/getinfo/", Map.of("token", "x")).getBody()).as("admitted once the slot is free")
                    .contains("缺少参数");
        }
    }

    @Test
    void aRequestWaitingOnWeChatGivesItsSlotBackAndAnAdmittedLoginCompletes() {
        try (OwnGateway gateway = oneSlotGateway()) {
            WebClient sandbox = WebClient.create(TestWorld.get().sandboxUrl());
            WebClient http = WebClient.create(gateway.url());
            ConcurrencyGate inbound = gateway.bean(InboundGate.class).gate();
            await(() -> inbound.inFlight() == 0 && inbound.queued() == 0);
            // a login WeChat answers after 1.5 s: admitted, then away at WeChat for most of its time
            String slowCode = (String) sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("appid", TestWorld.APPID, "delayMs", 1500)).retrieve().bodyToMono(Map.class)
                    .block(Duration.ofSeconds(5)).get("code");
            Mono<ResponseEntity<String>> slowLogin = http.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("code", slowCode)).exchangeToMono(r -> r.toEntity(String.class)).cache();
            long started = System.nanoTime();
            slowLogin.subscribe();
            io.micrometer.core.instrument.MeterRegistry meters = gateway.bean(io.micrometer.core.instrument.MeterRegistry.class);
            await(() -> meters.get("wxgate.gate.in_flight").tag("gate", "wechat-miniapp").gauge().value() == 1);
            assertThat(inbound.inFlight()).as("away at WeChat, its slot given back").isZero();

            ResponseEntity<String> meanwhile = post(http, "/getinfo/", Map.of("token", "x"));
            assertThat(System.nanoTime() - started).as("answered while the login was still at WeChat")
                    .isLessThan(Duration.ofMillis(1400).toNanos());
            assertThat(meanwhile.getStatusCode().value()).as("the slot was free: admitted, not shed").isEqualTo(200);
            assertThat(meanwhile.getBody()).contains("缺少参数");

            ResponseEntity<String> login = slowLogin.block(Duration.ofSeconds(10));
            assertThat(login.getStatusCode().value()).as("the admitted one completes").isEqualTo(200);
            assertThat(login.getBody()).contains("\"status\":0").contains("token");
            // the slot is given back just after the answer is written
            await(() -> inbound.inFlight() == 0);
        }
    }

    @Test
    void aBodySentSlowlyHoldsNoSlot() throws Exception {
        try (OwnGateway gateway = oneSlotGateway()) {
            java.net.URI url = java.net.URI.create(gateway.url());
            ConcurrencyGate inbound = gateway.bean(InboundGate.class).gate();
            await(() -> inbound.inFlight() == 0 && inbound.queued() == 0);
            try (java.net.Socket slow = new java.net.Socket(url.getHost(), url.getPort())) {
                slow.getOutputStream().write(("POST /getinfo/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 40\r\n\r\n{\"token\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                slow.getOutputStream().flush();
                Thread.sleep(200);
                assertThat(inbound.inFlight()).as("a request is admitted once its body is in").isZero();

                ResponseEntity<String> other = post(WebClient.create(gateway.url()), "/getinfo/", Map.of("token", "x"));
                assertThat(other.getStatusCode().value()).isEqualTo(200);
                assertThat(other.getBody()).contains("缺少参数");
            }
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeAdmission() {
        try (OwnGateway gateway = OwnGateway.start(Map.of("gateway.overload.enabled", "true"))) {
            String big = "x".repeat(70_000);
            ResponseEntity<String> answer = post(WebClient.create(gateway.url()), "/getinfo/", Map.of("token", big));
            assertThat(answer.getStatusCode().value()).isEqualTo(413);
            assertThat(answer.getBody()).contains("body_too_large");
            await(() -> gateway.bean(InboundGate.class).gate().inFlight() == 0);
        }
    }

    /** A gateway whose inbound gate lets one request do local work at a time and queues none. */
    private static OwnGateway oneSlotGateway() {
        return OwnGateway.start(Map.of(
                "gateway.overload.enabled", "true",
                "gateway.overload.initial-limit", "1",
                "gateway.overload.min-limit", "1",
                "gateway.overload.max-limit", "1",
                "gateway.overload.max-queue", "0"));
    }

    private static ResponseEntity<String> post(WebClient http, String path, Map<String, String> body) {
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(5));
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
