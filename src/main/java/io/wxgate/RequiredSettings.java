package io.wxgate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    private static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("spring.r2dbc.url", "WXGATE_DB_R2DBC_URL");
        REQUIRED.put("spring.flyway.url", "WXGATE_DB_JDBC_URL");
        REQUIRED.put("spring.data.redis.host", "WXGATE_REDIS_HOST");
        REQUIRED.put("wechat.miniapp.appid", "WXGATE_MINIAPP_APPID");
        REQUIRED.put("wechat.miniapp.secret", "WXGATE_MINIAPP_SECRET");
        REQUIRED.put("wechat.pay.mch-id", "WXGATE_PAY_MCH_ID");
        REQUIRED.put("wechat.pay.api-key", "WXGATE_PAY_API_KEY");
        REQUIRED.put("wechat.pay.notify-url", "WXGATE_PAY_NOTIFY_URL");
    }

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        List<String> missing = new ArrayList<>();
        REQUIRED.forEach((property, variable) -> {
            String value;
            try {
                value = environment.getProperty(property);
            } catch (IllegalArgumentException unresolvable) {
                value = null;
            }
            if (value == null || value.isBlank() || value.contains("${")) {
                missing.add(variable + " (" + property + ")");
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("wxgate cannot start: set " + String.join(", ", missing));
        }
    }
}
