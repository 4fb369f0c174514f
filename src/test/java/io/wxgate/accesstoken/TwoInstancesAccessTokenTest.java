package io.wxgate.accesstoken;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxgate.WxgateApplication;
import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway instances sharing one Redis, under concurrent load, against the sandbox: when the access_token expires
 * or is invalidated they get one new token between them, not one each, and no user sees an error.
 */
class TwoInstancesAccessTokenTest extends IntegrationTest {

    private static final int USERS = 40;

    private static ConfigurableApplicationContext second;
    private static String secondUrl;

    @Autowired
    MeterRegistry firstMeters;

    @Autowired
    AccessTokenService firstTokens;

    @BeforeAll
    static void startSecondInstance() {
        int port = EmbeddedServers.freePort();
        Map<String, Object> properties = new LinkedHashMap<>(world().gatewayProperties(port));
        properties.put("wechat.pay.reconciler.enabled", "false");
        // as command-line arguments: they must outrank application.yml's ${WXGATE_...} placeholders
        second = new SpringApplicationBuilder(WxgateApplication.class)
                .run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
        secondUrl = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.close();
        }
        if (redisClient != null) {
            redisClient.shutdown();
        }
    }

    @Test
    void anExpiredTokenUnderLoadOnTwoInstancesIsRefreshedOnceAndNoCallFails() {
        List<Call> calls = preparedCalls();
        assertThat(send(calls.get(0)).status()).isEqualTo(200); // a cached token to begin with
        int issuedBefore = issued();
        double refreshesBefore = refreshes();

        control("expire"); // every token out there now answers 42001
        List<Answer> answers = sendAll(calls.subList(1, calls.size()));

        assertThat(answers).hasSize(USERS - 1).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
        assertThat(issued()).isEqualTo(issuedBefore + 1);
        assertThat(refreshes()).isEqualTo(refreshesBefore + 1);
    }

    @Test
    void aTokenInvalidatedUnderLoadIsReplacedOnceAndTheLateFailuresAreRecoveredWithoutAnError() {
        List<Call> calls = preparedCalls();
        assertThat(send(calls.get(0)).status()).isEqualTo(200);
        int issuedBefore = issued();
        double refreshesBefore = refreshes();
        double invalidatedBefore = counterSum("wxgate.access_token.invalidated");

        control("invalidate"); // WeChat answers 40001 for the token both instances hold
        List<Answer> answers = sendAll(calls.subList(1, calls.size()));

        assertThat(answers).hasSize(USERS - 1).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
        assertThat(issued()).isEqualTo(issuedBefore + 1);
        assertThat(refreshes()).isEqualTo(refreshesBefore + 1);
        // however many calls were refused with the old token, it was dropped from Redis once
        assertThat(counterSum("wxgate.access_token.invalidated")).isEqualTo(invalidatedBefore + 1);
    }

    @Test
    void aFailureReportedForATokenAnotherInstanceAlreadyReplacedKeepsTheReplacement() {
        List<Call> calls = preparedCalls().subList(0, 2);
        assertThat(send(calls.get(0)).status()).isEqualTo(200);
        String old = firstTokens.current().block(Duration.ofSeconds(5));
        control("invalidate");
        // the second instance meets the 40001 first and replaces the token
        assertThat(send(calls.get(1).onSecond()).status()).isEqualTo(200);
        String replacement = second.getBean(AccessTokenService.class).current().block(Duration.ofSeconds(5));
        assertThat(replacement).isNotEqualTo(old);
        int issued = issued();

        // the first instance's call that was refused with the old token: no new token, the replacement is used
        assertThat(firstTokens.replace(old).block(Duration.ofSeconds(5))).isEqualTo(replacement);
        assertThat(issued()).isEqualTo(issued);
        assertThat(firstTokens.current().block(Duration.ofSeconds(5))).isEqualTo(replacement);
    }

    @Test
    void aTokenNearItsEndIsRenewedAheadOfTimeByOneInstanceWhileBothKeepUsingIt() throws InterruptedException {
        assertThat(send(preparedCalls().get(0)).status()).isEqualTo(200);
        String token = firstTokens.current().block(Duration.ofSeconds(5));
        // the cached token has a minute left: inside the four-minute refresh-ahead window
        long soon = System.currentTimeMillis() + 60_000;
        redisHash().hset(AccessTokenService.TOKEN_PREFIX + TestWorld.APPID, "expires_at", Long.toString(soon));
        double refreshesBefore = refreshes();
        AccessTokenService secondTokens = second.getBean(AccessTokenService.class);

        List<String> seen = Flux.range(0, 40)
                .flatMap(i -> (i % 2 == 0 ? firstTokens : secondTokens).current(), 40)
                .collectList().block(Duration.ofSeconds(20));

        assertThat(seen).hasSize(40).containsOnly(token); // nobody waited for the renewal
        long deadline = System.currentTimeMillis() + 10_000;
        while (Long.parseLong(redisHash().hget(AccessTokenService.TOKEN_PREFIX + TestWorld.APPID, "expires_at")) <= soon
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Long.parseLong(redisHash().hget(AccessTokenService.TOKEN_PREFIX + TestWorld.APPID, "expires_at")))
                .isGreaterThan(soon + 3_600_000L);
        // the refresh is counted once its write completed, a moment after Redis shows it: wait, bounded, then check
        // that it was one refresh and stays one
        while (refreshes() < refreshesBefore + 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        assertThat(refreshes()).isEqualTo(refreshesBefore + 1);
    }

    private static io.lettuce.core.api.sync.RedisCommands<String, String> redisHash() {
        if (redisClient == null) {
            redisClient = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + world().servers().redisPort());
            redis = redisClient.connect().sync();
        }
        return redis;
    }

    private static io.lettuce.core.RedisClient redisClient;
    private static io.lettuce.core.api.sync.RedisCommands<String, String> redis;

    private record Call(String baseUrl, String token, String code) {
        Call onSecond() {
            return new Call(secondUrl, token, code);
        }
    }

    private record Answer(int status, String body) {
    }

    // distinct users (a login replaces the user's previous token), half of them on each instance
    private static List<Call> preparedCalls() {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            SandboxPhone user = SandboxPhone.newUser();
            String token = user.apiLogin();
            calls.add(new Call(i % 2 == 0 ? world().gatewayUrl() : secondUrl, token, user.wxGetPhoneCode()));
        }
        return calls;
    }

    private static Answer send(Call call) {
        return sendAsync(call).block(Duration.ofSeconds(20));
    }

    private static List<Answer> sendAll(List<Call> calls) {
        return Flux.fromIterable(calls).flatMap(TwoInstancesAccessTokenTest::sendAsync, calls.size())
                .collectList().block(Duration.ofSeconds(60));
    }

    private static Mono<Answer> sendAsync(Call call) {
        return WebClient.create(call.baseUrl()).post().uri("/api/v1/users/me/phone")
                .header("Authorization", "Bearer " + call.token())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("code", call.code()))
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> new Answer(response.statusCode().value(), body)));
    }

    private double refreshes() {
        return firstMeters.counter("wxgate.access_token.refreshes", "outcome", "issued").count()
                + second.getBean(MeterRegistry.class).counter("wxgate.access_token.refreshes", "outcome", "issued").count();
    }

    private double counterSum(String name) {
        return firstMeters.counter(name).count() + second.getBean(MeterRegistry.class).counter(name).count();
    }

    private static int issued() {
        return sandbox().get().uri("/sandbox/access-tokens?appid=" + TestWorld.APPID).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("issued").asInt();
    }

    private static void control(String action) {
        sandbox().post().uri("/sandbox/access-tokens/" + action).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID)).exchange().expectStatus().isOk();
    }
}
