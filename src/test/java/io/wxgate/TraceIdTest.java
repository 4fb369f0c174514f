package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.OwnGateway;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A request's trace id is on its log lines (the plain console format here; the prod profile's JSON in
 * {@link ProductionProcessTest}) and goes with it to WeChat as W3C {@code traceparent}: a gateway of its own talks to
 * a stand-in WeChat that records the header of every jscode2session call.
 */
@ExtendWith(OutputCaptureExtension.class)
class TraceIdTest {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]");
    private static final List<String> traceparents = new CopyOnWriteArrayList<>();
    private static DisposableServer wechat;
    private static OwnGateway gateway;

    @BeforeAll
    static void start() {
        wechat = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/sns/jscode2session", (request, response) -> {
                    traceparents.add(String.valueOf(request.requestHeaders().get("traceparent")));
                    String code = request.uri().replaceAll(".*js_code=([^&]*).*", "$1");
                    String reply = code.startsWith("refuse")
                            ? "{\"errcode\":40029,\"errmsg\":\"invalid code, rid: 1\"}"
                            : "{\"session_key\":\"tiihtNczf5v6AKRyjwEUhQ==\",\"openid\":\"oTrace" + code + "\"}";
                    return response.header("Content-Type", "application/json").sendString(Mono.just(reply)).then();
                }))
                .bindNow();
        // the trace id on every log line is the opt-in "auto" context propagation; the default still sends it to WeChat
        gateway = OwnGateway.start(Map.of("wechat.miniapp.base-url", "http://127.0.0.1:" + wechat.port(),
                "spring.reactor.context-propagation", "auto"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        wechat.disposeNow();
    }

    @Test
    void aLoginsLogLineAndItsCallToWeChatCarryTheSameTraceId(CapturedOutput output) {
        traceparents.clear();
        login("User000000000000000000001", null).expectStatus().isCreated();

        assertThat(traceparents).hasSize(1);
        Matcher sent = TRACEPARENT.matcher(traceparents.get(0));
        assertThat(sent.matches()).as("traceparent sent to WeChat: " + traceparents.get(0)).isTrue();
        String traceId = sent.group(1);
        // "login for oTra***01" is logged after WeChat answered and Redis stored the session, on neither's thread;
        // the appender is asynchronous, so the line may reach the output a moment after the answer
        assertThat(logLine(output, "login for oTra***01")).contains(traceId);
    }

    @Test
    void aTraceStartedUpstreamIsContinuedIntoTheLogAndToWeChat(CapturedOutput output) {
        traceparents.clear();
        String upstream = "4bf92f3577b34da6a3ce929d0e0e4736";
        login("refused", "00-" + upstream + "-00f067aa0ba902b7-00").expectStatus().isBadRequest();

        assertThat(traceparents).singleElement().asString().startsWith("00-" + upstream + "-")
                .doesNotContain("00f067aa0ba902b7");
        assertThat(logLine(output, "jscode2session refused: errcode=40029")).contains(upstream);
    }

    /** The one line containing {@code marker}, waited for a bounded while (the log appender is asynchronous). */
    private static String logLine(CapturedOutput output, String marker) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = output.getOut().lines().filter(line -> line.contains(marker)).toList();
            if (!lines.isEmpty()) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(lines).as("log lines containing " + marker).hasSize(1);
        return lines.get(0);
    }

    @Test
    void withTheDefaultPropagationTheTraceStillReachesWeChat() {
        traceparents.clear();
        String upstream = "5cf92f3577b34da6a3ce929d0e0e4737";
        try (OwnGateway limited = OwnGateway.start(Map.of("wechat.miniapp.base-url", "http://127.0.0.1:" + wechat.port()))) {
            login(limited, "User000000000000000000002", "00-" + upstream + "-00f067aa0ba902b7-00")
                    .expectStatus().isCreated();
        }
        assertThat(traceparents).singleElement().asString().startsWith("00-" + upstream + "-");
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec login(String code, String traceparent) {
        return login(gateway, code, traceparent);
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec login(OwnGateway gateway,
                                                                                             String code, String traceparent) {
        return gateway.client().post().uri("/api/v1/sessions")
                .headers(headers -> {
                    if (traceparent != null) {
                        headers.set("traceparent", traceparent);
                    }
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", code))
                .exchange();
    }
}
