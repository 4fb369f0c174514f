package io.wxgate.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WeChat sandbox: a stateful stand-in for WeChat's servers (and for the phone, under /sandbox/wx/)
 * at WeChat's real paths and wire formats. Runs as its own process, or inside tests and the local run.
 */
@SpringBootApplication(excludeName = {
        "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
        "org.springframework.boot.r2dbc.autoconfigure.R2dbcInitializationAutoConfiguration",
        "org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
        "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
        "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcRepositoriesAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
})
@ConfigurationPropertiesScan
public class SandboxApplication {

    public static void main(String[] args) {
        application(Map.of()).run(args);
    }

    /** Starts a sandbox in this JVM with the given properties on top of {@code sandbox.yml}. */
    public static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return application(properties).run();
    }

    private static SpringApplication application(Map<String, Object> properties) {
        SpringApplication app = new SpringApplication(SandboxApplication.class);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("spring.config.name", "sandbox");
        defaults.putAll(properties);
        app.setDefaultProperties(defaults);
        return app;
    }
}
