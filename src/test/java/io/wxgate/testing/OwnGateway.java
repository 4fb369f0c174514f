package io.wxgate.testing;

import io.wxgate.WxgateApplication;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A gateway of a test's own, on its own port, against the test servers and the shared sandbox, with settings
 * of its own on top (command-line arguments outrank application.yml): for tests that cut its connections,
 * starve it or tune it in ways the shared gateway must not see.
 */
public final class OwnGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final String url;

    private OwnGateway(ConfigurableApplicationContext context, String url) {
        this.context = context;
        this.url = url;
    }

    /** Starts one; {@code settings} override the defaults below (a database or WeChat Pay behind a proxy, say). */
    public static OwnGateway start(Map<String, Object> settings) {
        int port = EmbeddedServers.freePort();
        String url = "http://127.0.0.1:" + port;
        Map<String, Object> p = new LinkedHashMap<>(TestWorld.get().gatewayProperties(port));
        boolean v3 = "v3".equalsIgnoreCase(String.valueOf(settings.get("wechat.pay.api-version")));
        p.put("wechat.pay.notify-url", url + (v3 ? "/api/v1/pay/notify/v3" : "/api/v1/pay/notify"));
        p.putAll(settings);
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new OwnGateway(new SpringApplicationBuilder(WxgateApplication.class).run(args), url);
    }

    public String url() {
        return url;
    }

    /** Its management port's base URL (probes, {@code /actuator/prometheus}). */
    public String managementUrl() {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port");
    }

    public WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(url).responseTimeout(Duration.ofSeconds(20)).build();
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
