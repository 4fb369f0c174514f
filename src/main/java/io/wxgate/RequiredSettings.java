package io.wxgate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start, before any bean is made, when a required setting is missing, naming every missing
 * environment variable at once. A placeholder that could not be resolved counts as missing: Spring would
 * otherwise bind the literal text {@code ${WXGATE_...}} as if it were a secret.
 */
@Component
public class RequiredSettings implements BeanFactoryPostProcessor, EnvironmentAware {

    /** Each required property with the environment variable that sets it. */
    private static final List<Map.Entry<String, String>> REQUIRED = List.of(
            Map.entry("spring.r2dbc.url", "WXGATE_DB_R2DBC_URL"),
            Map.entry("spring.flyway.url", "WXGATE_DB_JDBC_URL"),
            Map.entry("spring.data.redis.host", "WXGATE_REDIS_HOST"),
            Map.entry("wechat.miniapp.appid", "WXGATE_MINIAPP_APPID"),
            Map.entry("wechat.miniapp.secret", "WXGATE_MINIAPP_SECRET"),
            Map.entry("wechat.pay.mch-id", "WXGATE_PAY_MCH_ID"),
            Map.entry("wechat.pay.api-key", "WXGATE_PAY_API_KEY"),
            Map.entry("wechat.pay.notify-url", "WXGATE_PAY_NOTIFY_URL"));

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> setting : REQUIRED) {
            String property = setting.getKey();
            String variable = setting.getValue();
            String value;
            try {
                value = environment.getProperty(property);
            } catch (IllegalArgumentException unresolvable) {
                value = null;
            }
            if (value == null || value.isBlank() || value.contains("${")) {
                missing.add(variable + " (" + property + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("wxgate cannot start: set " + String.join(", ", missing));
        }
    }
}
