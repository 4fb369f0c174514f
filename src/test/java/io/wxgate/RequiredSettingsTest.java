package io.wxgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

class RequiredSettingsTest {

    private static MockEnvironment complete() {
        return new MockEnvironment()
                .withProperty("spring.r2dbc.url", "r2dbc:mysql://db:3306/wxgate")
                .withProperty("spring.flyway.url", "jdbc:mariadb://db:3306/wxgate")
                .withProperty("spring.data.redis.host", "redis")
                .withProperty("wechat.miniapp.appid", "wx5ca7b1e1d1b0a001")
                .withProperty("wechat.miniapp.secret", "s")
                .withProperty("wechat.pay.mch-id", "1900000109")
                .withProperty("wechat.pay.api-version", "v2")
                .withProperty("wechat.pay.api-key", "k")
                .withProperty("wechat.pay.notify-url", "https://pay.example.com/api/v1/pay/notify");
    }

    private static void check(MockEnvironment env) {
        RequiredSettings settings = new RequiredSettings();
        settings.setEnvironment(env);
        settings.postProcessBeanFactory(new DefaultListableBeanFactory());
    }

    @Test
    void aCompleteConfigurationPasses() {
        check(complete());
    }

    @Test
    void missingEmptyAndUnresolvedSettingsAreAllNamedByTheirVariable() {
        MockEnvironment env = complete()
                .withProperty("wechat.miniapp.secret", "")
                .withProperty("wechat.pay.api-key", "${WXGATE_PAY_API_KEY}");
        assertThatThrownBy(() -> check(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WXGATE_MINIAPP_SECRET")
                .hasMessageContaining("WXGATE_PAY_API_KEY")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("WXGATE_MINIAPP_APPID"));
    }

    @Test
    void aRedisClusterOrSentinelStandsInForTheRedisHost() {
        check(complete().withProperty("spring.data.redis.host", "")
                .withProperty("spring.data.redis.cluster.nodes", "10.0.0.1:6379,10.0.0.2:6379"));
        check(complete().withProperty("spring.data.redis.host", "${WXGATE_REDIS_HOST}")
                .withProperty("spring.data.redis.sentinel.master", "mymaster")
                .withProperty("spring.data.redis.sentinel.nodes", "10.0.0.1:26379"));
        assertThatThrownBy(() -> check(complete().withProperty("spring.data.redis.host", "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WXGATE_REDIS_HOST")
                .hasMessageContaining("SPRING_DATA_REDIS_CLUSTER_NODES");
    }

    @Test
    void apiV3IsTheDefaultAndNamesEachOfItsSettingsFileOrText() {
        // an existing APIv2 merchant that gives only its key needs nothing more
        check(complete().withProperty("wechat.pay.api-version", ""));
        MockEnvironment v3 = complete().withProperty("wechat.pay.api-version", "").withProperty("wechat.pay.api-key", "");
        assertThatThrownBy(() -> check(v3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WXGATE_PAY_MERCHANT_SERIAL_NO")
                .hasMessageContaining("WXGATE_PAY_PRIVATE_KEY_FILE or WXGATE_PAY_PRIVATE_KEY")
                .hasMessageContaining("WXGATE_PAY_API_V3_KEY_FILE or WXGATE_PAY_API_V3_KEY")
                .hasMessageContaining("WXGATE_PAY_PUBLIC_KEY_ID")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("WXGATE_PAY_API_KEY "));
        check(v3.withProperty("wechat.pay.v3.merchant-serial-no", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
                .withProperty("wechat.pay.v3.private-key-file", "/run/secrets/wxgate/apiclient_key.pem")
                .withProperty("wechat.pay.v3.api-v3-key", "k")
                .withProperty("wechat.pay.v3.public-key-id", "PUB_KEY_ID_1")
                .withProperty("wechat.pay.v3.public-key-file", "/run/secrets/wxgate/pub_key.pem"));
        // certificate mode needs no public key
        check(complete().withProperty("wechat.pay.api-version", "V3")
                .withProperty("wechat.pay.v3.merchant-serial-no", "5157F09E")
                .withProperty("wechat.pay.v3.private-key", "pem")
                .withProperty("wechat.pay.v3.api-v3-key-file", "/k")
                .withProperty("wechat.pay.v3.verification", "certificate"));
    }
}
