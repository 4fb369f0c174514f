package io.wxgate;

import io.wxgate.pay.PayProperties;
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
            Map.entry("wechat.miniapp.appid", "WXGATE_MINIAPP_APPID"),
            Map.entry("wechat.miniapp.secret", "WXGATE_MINIAPP_SECRET"),
            Map.entry("wechat.pay.mch-id", "WXGATE_PAY_MCH_ID"),
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
            if (!isSet(setting.getKey())) {
                missing.add(setting.getValue() + " (" + setting.getKey() + ")");
            }
        }
        payApiSettings(missing);
        // one Redis: a single server, a cluster or a Sentinel-watched master (Boot's own properties for the last two)
        if (!isSet("spring.data.redis.host") && !isSet("spring.data.redis.cluster.nodes") && !isSet("spring.data.redis.sentinel.nodes")) {
            missing.add("WXGATE_REDIS_HOST (spring.data.redis.host), or SPRING_DATA_REDIS_CLUSTER_NODES for a Redis Cluster,"
                    + " or SPRING_DATA_REDIS_SENTINEL_MASTER and SPRING_DATA_REDIS_SENTINEL_NODES for Sentinel");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("wxgate cannot start: set " + String.join(", ", missing));
        }
    }

    /** APIv2 needs its API key; APIv3 its serial, private key, APIv3 key and, unless it uses certificates only, the
     * WeChat Pay public key and its id; each secret as text or as a file. Unset, the version is v3, or v2 when only
     * the APIv2 key is given, as {@code PayProperties} decides. */
    private void payApiSettings(List<String> missing) {
        String version = isSet("wechat.pay.api-version") ? environment.getProperty("wechat.pay.api-version")
                : anyV3Setting() || !isSet("wechat.pay.api-key") ? "v3" : "v2";
        if (version.equalsIgnoreCase("v2")) {
            if (!isSet("wechat.pay.api-key")) {
                missing.add("WXGATE_PAY_API_KEY (wechat.pay.api-key, for wechat.pay.api-version v2)");
            }
            return;
        }
        if (!isSet("wechat.pay.v3.merchant-serial-no")) {
            missing.add("WXGATE_PAY_MERCHANT_SERIAL_NO (wechat.pay.v3.merchant-serial-no)");
        }
        secret("wechat.pay.v3.private-key", "WXGATE_PAY_PRIVATE_KEY", missing);
        secret("wechat.pay.v3.api-v3-key", "WXGATE_PAY_API_V3_KEY", missing);
        String verification = isSet("wechat.pay.v3.verification") ? environment.getProperty("wechat.pay.v3.verification")
                : "PUBLIC_KEY";
        if (!verification.equalsIgnoreCase("CERTIFICATE")) {
            if (!isSet("wechat.pay.v3.public-key-id")) {
                missing.add("WXGATE_PAY_PUBLIC_KEY_ID (wechat.pay.v3.public-key-id)");
            }
            secret("wechat.pay.v3.public-key", "WXGATE_PAY_PUBLIC_KEY", missing);
        }
    }

    private boolean anyV3Setting() {
        for (String key : PayProperties.V3.CREDENTIAL_KEYS) {
            if (isSet("wechat.pay.v3." + key)) {
                return true;
            }
        }
        return false;
    }

    private void secret(String property, String variable, List<String> missing) {
        if (!isSet(property) && !isSet(property + "-file")) {
            missing.add(variable + "_FILE or " + variable + " (" + property + "-file or " + property + ")");
        }
    }

    private boolean isSet(String property) {
        String value;
        try {
            value = environment.getProperty(property);
        } catch (IllegalArgumentException unresolvable) {
            value = null;
        }
        return value != null && !value.isBlank() && !value.contains("${");
    }
}
