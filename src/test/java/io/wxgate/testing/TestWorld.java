package io.wxgate.testing;

import io.wxgate.sandbox.SandboxApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Everything an integration test talks to, started once per JVM: the stores ({@link TestServers}),
 * the WeChat sandbox on its own port, and the port the gateway under test listens on.
 * The identities are fictional and exist only in the sandbox.
 */
public final class TestWorld {

    public static final String APPID = "wx5ca7b1e1d1b0a001";
    public static final String SECRET = "sandbox-secret-for-tests-only";
    public static final String MCH_ID = "1900000109";
    public static final String API_KEY = "sandboxtestkey0123456789abcdefgh";
    /**
     * A second merchant at the sandbox, for the same app and with the same APIv3 keys, that verifies WeChat Pay with
     * platform certificates (downloaded from {@code /v3/certificates}) instead of the WeChat Pay public key.
     */
    public static final String CERTIFICATE_MCH_ID = "1900000110";
    /** A second mini-program at the sandbox, whose codes the gateway (configured for {@link #APPID}) must not redeem. */
    public static final String OTHER_APPID = "wx5ca7b1e1d1b0a002";
    /** A sandbox user given in the configuration, with a unionid, a profile and a phone number. */
    public static final String CONFIGURED_OPENID = "oConfiguredTestUser000000001";

    private static TestWorld instance;

    private final TestServers servers;
    private final int sandboxPort;
    private final int gatewayPort;
    private final ConfigurableApplicationContext sandbox;

    private TestWorld() {
        this.servers = TestServers.get();
        this.sandboxPort = EmbeddedServers.freePort();
        this.gatewayPort = EmbeddedServers.freePort();
        this.sandbox = SandboxApplication.start(sandboxProperties(sandboxPort, gatewayPort));
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close));
    }

    public static synchronized TestWorld get() {
        if (instance == null) {
            instance = new TestWorld();
        }
        return instance;
    }

    /** The sandbox's configuration for tests: one app, one merchant, retry schedule compressed 1000 times. */
    public static Map<String, Object> sandboxProperties(int sandboxPort, int gatewayPort) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", sandboxPort);
        p.put("sandbox.apps[0].appid", APPID);
        p.put("sandbox.apps[0].secret", SECRET);
        p.put("sandbox.apps[1].appid", OTHER_APPID);
        p.put("sandbox.apps[1].secret", "other-sandbox-secret-for-tests-only");
        p.put("sandbox.merchants[0].mch-id", MCH_ID);
        p.put("sandbox.merchants[0].api-key", API_KEY);
        p.put("sandbox.merchants[0].appid", APPID);
        p.put("sandbox.merchants[0].api-v3-key", PayV3TestKeys.API_V3_KEY);
        p.put("sandbox.merchants[0].merchant-public-key", PayV3TestKeys.merchantPublicKeyPem());
        p.put("sandbox.merchants[0].merchant-serial-no", PayV3TestKeys.MERCHANT_SERIAL_NO);
        p.put("sandbox.merchants[1].mch-id", CERTIFICATE_MCH_ID);
        p.put("sandbox.merchants[1].api-key", "sandboxtestkey0123456789certmode");
        p.put("sandbox.merchants[1].appid", APPID);
        p.put("sandbox.merchants[1].api-v3-key", PayV3TestKeys.API_V3_KEY);
        p.put("sandbox.merchants[1].merchant-public-key", PayV3TestKeys.merchantPublicKeyPem());
        p.put("sandbox.merchants[1].merchant-serial-no", PayV3TestKeys.MERCHANT_SERIAL_NO);
        p.put("sandbox.merchants[1].verification", "certificate");
        p.put("sandbox.wechatpay.private-key", PayV3TestKeys.wechatpayPrivateKeyPem());
        p.put("sandbox.wechatpay.public-key-id", PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        p.put("sandbox.notify.time-scale", "0.001");
        p.put("sandbox.users[0].appid", APPID);
        p.put("sandbox.users[0].openid", CONFIGURED_OPENID);
        p.put("sandbox.users[0].unionid", "oUnionConfiguredTestUser0001");
        p.put("sandbox.users[0].phone-number", "13912345678");
        p.put("sandbox.users[0].user-info.nick-name", "配置的用户🌸");
        p.put("sandbox.users[0].user-info.gender", "2");
        p.put("sandbox.users[0].user-info.city", "Hangzhou");
        return p;
    }

    /**
     * Points a gateway context at this world: stores, sandbox and port. Each context gets its own free management
     * port (metrics and probes; read it with {@code @LocalManagementPort}), so cached contexts never collide on it.
     */
    public void register(DynamicPropertyRegistry registry) {
        int managementPort = EmbeddedServers.freePort();
        gatewayProperties(gatewayPort, managementPort).forEach((key, value) -> registry.add(key, () -> value));
    }

    /** The properties that point a gateway listening on these ports at this world's stores and sandbox. */
    public Map<String, Object> gatewayProperties(int port, int managementPort) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", port);
        p.put("management.server.port", managementPort);
        p.put("spring.r2dbc.url", servers.r2dbcUrl());
        p.put("spring.r2dbc.username", "root");
        p.put("spring.r2dbc.password", "");
        p.put("spring.flyway.url", servers.jdbcUrl());
        p.put("spring.flyway.user", "root");
        p.put("spring.flyway.password", "");
        p.put("spring.data.redis.host", "127.0.0.1");
        p.put("spring.data.redis.port", servers.redisPort());
        p.put("wechat.miniapp.appid", APPID);
        p.put("wechat.miniapp.secret", SECRET);
        p.put("wechat.miniapp.base-url", sandboxUrl());
        p.put("wechat.pay.mch-id", MCH_ID);
        p.put("wechat.pay.api-key", API_KEY);
        p.put("wechat.pay.base-url", sandboxUrl());
        p.put("wechat.pay.notify-url", gatewayUrl() + "/api/v1/pay/notify");
        p.put("wechat.pay.api-version", "v2");
        p.put("wechat.pay.v3.merchant-serial-no", PayV3TestKeys.MERCHANT_SERIAL_NO);
        p.put("wechat.pay.v3.private-key", PayV3TestKeys.merchantPrivateKeyPem());
        p.put("wechat.pay.v3.api-v3-key", PayV3TestKeys.API_V3_KEY);
        p.put("wechat.pay.v3.public-key-id", PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID);
        p.put("wechat.pay.v3.public-key", PayV3TestKeys.wechatpayPublicKeyPem());
        // every gateway of the test JVM shares one database: a reconciler left on in one would claim the orders
        // another test backdates for its own (ReconcilerStopTest's "next order, left unclaimed" was claimed so).
        // A test that wants passes turns them on for its own gateway.
        p.put("wechat.pay.reconciler.enabled", "false");
        return p;
    }

    /** The same settings as {@link #register}, for a second gateway instance started by hand on {@code port}. */
    public Map<String, Object> gatewayProperties(int port) {
        return gatewayProperties(port, EmbeddedServers.freePort());
    }

    public TestServers servers() {
        return servers;
    }

    public String sandboxUrl() {
        return "http://127.0.0.1:" + sandboxPort;
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    public ConfigurableApplicationContext sandboxContext() {
        return sandbox;
    }
}
