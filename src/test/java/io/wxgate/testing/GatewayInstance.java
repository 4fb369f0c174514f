package io.wxgate.testing;

import io.wxgate.WxgateApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One more gateway in the test JVM, started from properties (as {@code --key=value} arguments, so they override
 * the YAML files). It has its own event loops (WebConfig), so closing it never stops another server in the JVM.
 */
public final class GatewayInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;
    private final int managementPort;

    private GatewayInstance(ConfigurableApplicationContext context, int port, int managementPort) {
        this.context = context;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** A gateway on fresh free ports, pointed at {@link TestWorld}, with {@code overrides} on top. */
    public static GatewayInstance start(Map<String, Object> overrides, String... profiles) {
        int port = EmbeddedServers.freePort();
        int managementPort = EmbeddedServers.freePort();
        Map<String, Object> properties = new LinkedHashMap<>(TestWorld.get().gatewayProperties(port, managementPort));
        properties.put("wechat.pay.notify-url", "http://127.0.0.1:" + port + "/api/v1/pay/notify");
        properties.putAll(overrides);
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        SpringApplication app = new SpringApplication(WxgateApplication.class);
        app.setAdditionalProfiles(profiles);
        return new GatewayInstance(app.run(args), port, managementPort);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
