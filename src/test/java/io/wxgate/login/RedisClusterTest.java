package io.wxgate.login;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.wxgate.pay.PayFixtures;
import io.wxgate.testing.GatewayInstance;
import io.wxgate.testing.RedisCluster;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The gateway on a Redis Cluster (3 masters, 3 replicas, loopback, the embedded redis-server binary) through Boot's
 * {@code spring.data.redis.cluster.nodes} and Lettuce's cluster client with adaptive topology refresh: login, user
 * data and pay work, and a session survives the failover of the master that holds it.
 */
class RedisClusterTest {

    private static RedisCluster cluster;
    private static GatewayInstance gateway;

    @BeforeAll
    static void startClusterAndGateway() {
        cluster = RedisCluster.start(3);
        gateway = GatewayInstance.start(Map.of(
                "spring.data.redis.cluster.nodes", cluster.nodes(),
                "spring.data.redis.host", "",
                "wechat.pay.reconciler.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(gateway.url()).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static WebTestClient sandbox() {
        return WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl()).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static WebTestClient.ResponseSpec getInfo(SandboxPhone phone, String token) {
        JsonNode sealed = phone.wxGetUserInfo();
        return client().post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("iv", sealed.get("iv").asString(), "encryptedData", sealed.get("encryptedData").asString(),
                        "token", token))
                .exchange();
    }

    @Test
    void loginUserDataAndPayWorkOnTheCluster() {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String token = phone.seedLogin();
        assertThat(cluster.holds(cluster.masterOf(SessionStore.SESSION_PREFIX + token), SessionStore.SESSION_PREFIX + token))
                .isTrue();
        // the session hash and the openid's pointer are in different slots; both are served
        assertThat(cluster.masterOf(SessionStore.OPENID_PREFIX + phone.openid())).isNotNull();

        getInfo(phone, token).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo(0);
        assertThat(phone.rowCount()).isEqualTo(1);

        Map<String, Object> order = PayFixtures.newOrder(client(), token, 1);
        String outTradeNo = (String) order.get("out_trade_no");
        sandbox().post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON).bodyValue(order.get("payment"))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");
        await(Duration.ofSeconds(15), "the notify to mark the order paid", () -> "SUCCESS".equals(orderColumn(outTradeNo, "trade_state")));
        assertThat(PayFixtures.notifyCount(outTradeNo, "APPLIED")).isEqualTo(1);
    }

    @Test
    void lettuceUsesTheClusterClientWithAdaptiveAndPeriodicTopologyRefresh() {
        LettuceConnectionFactory factory = gateway.context().getBean(LettuceConnectionFactory.class);
        assertThat(factory.isClusterAware()).isTrue();
        ClusterClientOptions options = (ClusterClientOptions) factory.getClientConfiguration().getClientOptions().orElseThrow();
        ClusterTopologyRefreshOptions refresh = options.getTopologyRefreshOptions();
        assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
        assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
        assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aNewLoginKillsTheOldTokenEvenIfItsSessionWasNeverDeleted() {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String first = phone.apiLogin();
        String second = phone.apiLogin();
        // as if the last step of the second login (deleting the first session) had been lost in a failover
        ReactiveStringRedisTemplate redis = gateway.context().getBean(ReactiveStringRedisTemplate.class);
        redis.opsForHash().putAll(SessionStore.SESSION_PREFIX + first,
                Map.of("openid", phone.openid(), "unionid", "", "session_key", "c2Vzc2lvbmtleTAxMjM0NQ=="))
                .block(Duration.ofSeconds(5));

        SessionStore sessions = gateway.context().getBean(SessionStore.class);
        assertThatThrownBy(() -> sessions.require(first).block(Duration.ofSeconds(5))).isInstanceOf(SessionExpired.class);
        assertThat(sessions.require(second).block(Duration.ofSeconds(5)).openid()).isEqualTo(phone.openid());
        client().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + first).exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void aSessionSurvivesTheFailoverOfTheMasterThatHoldsIt() {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String token = phone.seedLogin();
        getInfo(phone, token).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo(0);
        String sessionKey = SessionStore.SESSION_PREFIX + token;
        String pointerKey = SessionStore.OPENID_PREFIX + phone.openid();
        RedisCluster.Node master = cluster.masterOf(sessionKey);
        RedisCluster.Node replica = cluster.replicaOf(master);
        await(Duration.ofSeconds(10), "the session to reach the replica", () -> cluster.holds(replica, sessionKey));
        RedisCluster.Node pointerMaster = cluster.masterOf(pointerKey);
        await(Duration.ofSeconds(10), "the openid pointer to reach its replica",
                () -> cluster.holds(cluster.replicaOf(pointerMaster), pointerKey));

        cluster.kill(master);
        cluster.awaitPromoted(replica, Duration.ofSeconds(30));

        // Lettuce learns the new topology (adaptive refresh on reconnect attempts, or the periodic refresh) by itself;
        // until it has, requests fail fast with 503 (never 500)
        Set<Integer> answers = new TreeSet<>();
        await(Duration.ofSeconds(40), "the same token to work again after the failover", () -> {
            JsonNode sealed = phone.wxGetUserInfo();
            var result = client().post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("iv", sealed.get("iv").asString(), "encryptedData", sealed.get("encryptedData").asString(),
                            "token", token))
                    .exchange().expectBody(String.class).returnResult();
            int status = result.getStatus().value();
            // the seed answers a lost session with HTTP 200 too ({"code":2,...}): only {"status":0,...} is success
            boolean served = status == 200 && String.valueOf(result.getResponseBody()).contains("\"status\":0");
            answers.add(served ? 200 : status == 200 ? -1 : status);
            return served;
        });
        assertThat(answers).isSubsetOf(200, 503);
        // and a new login lands on the promoted replica's slots too
        SandboxPhone another = SandboxPhone.newUser(gateway.url());
        getInfo(another, another.seedLogin()).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo(0);
    }
}
