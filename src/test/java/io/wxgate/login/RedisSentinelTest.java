package io.wxgate.login;

import static io.wxgate.pay.PayFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.GatewayInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * The gateway behind Redis Sentinel (Boot's {@code spring.data.redis.sentinel.*}): a master, its replica and one
 * sentinel, all embedded binaries on loopback ports. Sessions work, and keep working after the sentinel promotes
 * the replica of a master that went away.
 */
class RedisSentinelTest {

    private static final String MASTER_NAME = "wxgate";

    private static RedisServer master;
    private static RedisServer replica;
    private static RedisSentinel sentinel;
    private static int masterPort;
    private static int replicaPort;
    private static int sentinelPort;
    private static GatewayInstance gateway;
    private static final RedisClient client = RedisClient.create();
    private static final List<Path> dirs = new java.util.ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        masterPort = EmbeddedServers.freePort();
        replicaPort = EmbeddedServers.freePort();
        sentinelPort = EmbeddedServers.freePort();
        master = server(masterPort, null);
        replica = server(replicaPort, masterPort);
        sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sentinelPort)
                .masterName(MASTER_NAME).masterPort(masterPort).quorumSize(1)
                .downAfterMilliseconds(1000).failOverTimeout(5000).onShutdownForceStop(true).build();
        sentinel.start();
        await(Duration.ofSeconds(20), "the replica to sync and the sentinel to see it",
                () -> run(replicaPort, c -> c.info("replication")).contains("master_link_status:up")
                        && run(sentinelPort, c -> c.dispatch(io.lettuce.core.protocol.CommandType.SENTINEL,
                                new io.lettuce.core.output.ArrayOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                        .add("replicas").add(MASTER_NAME))).toString().contains(Integer.toString(replicaPort)));
        gateway = GatewayInstance.start(Map.of(
                "spring.data.redis.sentinel.master", MASTER_NAME,
                "spring.data.redis.sentinel.nodes", "127.0.0.1:" + sentinelPort,
                "wechat.pay.reconciler.enabled", "false"));
    }

    private static RedisServer server(int port, Integer masterOf) throws IOException {
        Path dir = Files.createTempDirectory("wxgate-redis-sentinel-");
        dirs.add(dir);
        var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").setting("dir " + dir).onShutdownForceStop(true);
        if (masterOf != null) {
            builder.slaveOf("127.0.0.1", masterOf);
        }
        RedisServer server = builder.build();
        server.start();
        return server;
    }

    private static <T> T run(int port, Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> command) {
        RedisURI uri = RedisURI.create("127.0.0.1", port);
        uri.setTimeout(Duration.ofSeconds(5));
        try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            return command.apply(connection.sync());
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        for (var instance : List.of(sentinel, replica, master)) {
            if (instance != null) {
                instance.stop();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        for (Path dir : dirs) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(gateway.url()).responseTimeout(Duration.ofSeconds(20)).build();
    }

    private static int me(String token) {
        return client().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .returnResult(String.class).getStatus().value();
    }

    @Test
    void sessionsWorkBehindSentinelAndSurviveAFailover() throws IOException {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String token = phone.apiLogin();
        assertThat(me(token)).isEqualTo(200);
        String sessionKey = SessionStore.SESSION_PREFIX + token;
        assertThat(run(masterPort, c -> c.exists(sessionKey)).longValue()).isEqualTo(1L);
        await(Duration.ofSeconds(10), "the session to reach the replica", () -> run(replicaPort, c -> c.exists(sessionKey)) == 1
                && run(replicaPort, c -> c.exists(SessionStore.OPENID_PREFIX + phone.openid())) == 1);

        master.stop();  // SIGKILL
        // the sentinel kills the promoted replica's client connections as it promotes it: a probe may be reset
        await(Duration.ofSeconds(30), "the sentinel to promote the replica", () -> {
            try {
                return run(replicaPort, c -> c.info("replication")).contains("role:master");
            } catch (io.lettuce.core.RedisException reset) {
                return false;
            }
        });
        await(Duration.ofSeconds(30), "the same token to work on the new master", () -> me(token) == 200);
        SandboxPhone another = SandboxPhone.newUser(gateway.url());
        assertThat(me(another.apiLogin())).isEqualTo(200);
        assertThat(run(replicaPort, c -> c.exists(SessionStore.OPENID_PREFIX + another.openid())).longValue()).isEqualTo(1L);
    }
}
