package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.wechat.SignType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class PayPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(PayProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Config.class);

    @Test
    void startsWithTheMerchantSettingsAndSensibleDefaults() {
        runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                        "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh",
                        "wechat.pay.notify-url=https://example.test/api/v1/pay/notify")
                .run(context -> {
                    PayProperties p = context.getBean(PayProperties.class);
                    assertThat(p.signType()).isEqualTo(SignType.MD5);
                    assertThat(p.baseUrl().toString()).isEqualTo("https://api.mch.weixin.qq.com");
                    assertThat(p.prepayValidity().toHours()).isEqualTo(2);
                    assertThat(p.reconciler().enabled()).isTrue();
                    assertThat(p.toString()).doesNotContain("sandboxtestkey");
                });
    }

    @Test
    void hmacSha256IsSelectableByWeChatsOwnName() {
        runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                        "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh",
                        "wechat.pay.notify-url=https://example.test/notify", "wechat.pay.sign-type=HMAC-SHA256")
                .run(context -> assertThat(context.getBean(PayProperties.class).signType()).isEqualTo(SignType.HMAC_SHA256));
    }

    @Test
    void refusesToStartWithoutTheMerchantIdAndSaysWhichVariableToSet() {
        runner.withPropertyValues("wechat.pay.api-key=sandboxtestkey0123456789abcdefgh",
                        "wechat.pay.notify-url=https://example.test/notify")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("WXGATE_PAY_MCH_ID"));
    }

    @Test
    void refusesToStartWithoutTheApiKeyOrTheNotifyUrl() {
        runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                        "wechat.pay.notify-url=https://example.test/notify")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("WXGATE_PAY_API_KEY"));
        runner.withPropertyValues("wechat.pay.mch-id=1900000109", "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("WXGATE_PAY_NOTIFY_URL"));
    }

    @Test
    void apiV3IsTheDefaultAndRefusesToStartWithoutItsCredentialsNamingThem() {
        runner.withPropertyValues("wechat.pay.mch-id=1900000109", "wechat.pay.notify-url=https://example.test/notify")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("WXGATE_PAY_MERCHANT_SERIAL_NO")
                        .hasMessageContaining("WXGATE_PAY_API_V3_KEY_FILE"));
    }

    @Test
    void apiV3SettingsBindWithTheirSecretsHidden() {
        runner.withPropertyValues("wechat.pay.mch-id=1900000109", "wechat.pay.notify-url=https://example.test/notify",
                        "wechat.pay.v3.merchant-serial-no=5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
                        "wechat.pay.v3.api-v3-key=secretsecretsecretsecretsecret32",
                        "wechat.pay.v3.private-key-file=/run/secrets/apiclient_key.pem",
                        "wechat.pay.v3.verification=both", "wechat.pay.v3.public-key-id=PUB_KEY_ID_0000")
                .run(context -> {
                    PayProperties p = context.getBean(PayProperties.class);
                    assertThat(p.apiVersion()).isEqualTo(PayProperties.ApiVersion.V3);
                    assertThat(p.newOrderSignType()).isEqualTo(SignType.RSA);
                    assertThat(p.v3().verification()).isEqualTo(PayProperties.Verification.BOTH);
                    assertThat(p.v3().certificateRefresh().toHours()).isEqualTo(1);
                    assertThat(p.toString()).doesNotContain("secretsecret").contains("PUB_KEY_ID_0000");
                });
    }

    @Test
    void rsaIsNotAnApiV2SignType() {
        runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                        "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh",
                        "wechat.pay.notify-url=https://example.test/notify", "wechat.pay.sign-type=RSA")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("api-version v3"));
    }

    @Test
    void anExistingApiV2MerchantGivingOnlyItsKeyKeepsApiV2WithoutChoosingIt() {
        runner.withPropertyValues("wechat.pay.mch-id=1900000109", "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh",
                        "wechat.pay.notify-url=https://example.test/api/v1/pay/notify")
                .run(context -> {
                    PayProperties p = context.getBean(PayProperties.class);
                    assertThat(p.apiVersion()).isEqualTo(PayProperties.ApiVersion.V2);
                    assertThat(p.newOrderSignType()).isEqualTo(SignType.MD5);
                });
    }

    @Test
    void eachApiVersionGetsItsOwnNotifyPathWhicheverIsConfigured() {
        for (String configured : List.of("https://pay.example.com/api/v1/pay/notify", "https://pay.example.com/api/v1/pay/notify/v3")) {
            runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                            "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh", "wechat.pay.notify-url=" + configured)
                    .run(context -> {
                        PayProperties p = context.getBean(PayProperties.class);
                        assertThat(p.notifyUrl(false)).isEqualTo("https://pay.example.com/api/v1/pay/notify");
                        assertThat(p.notifyUrl(true)).isEqualTo("https://pay.example.com/api/v1/pay/notify/v3");
                    });
        }
        runner.withPropertyValues("wechat.pay.api-version=v2", "wechat.pay.mch-id=1900000109",
                        "wechat.pay.api-key=sandboxtestkey0123456789abcdefgh", "wechat.pay.notify-url=https://proxy.example.com/wx")
                .run(context -> assertThat(context.getBean(PayProperties.class).notifyUrl(true))
                        .isEqualTo("https://proxy.example.com/wx"));
    }
}
