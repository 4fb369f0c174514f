package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxgate.overload.Overloaded;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/** The counts and timings the WeChat Pay side hands to Prometheus, as the alerts and dashboard read them. */
class PayMetricsTest {

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final PayMetrics metrics = new PayMetrics(meters);

    @Test
    void notifyVerdictsAreCountedByVerdictAcknowledgementAndApiVersion() {
        metrics.notifyVerdict("APPLIED", true, "v2");
        metrics.notifyVerdict("APPLIED", true, "v2");
        metrics.notifyVerdict("AMOUNT_MISMATCH", false, "v3");

        assertThat(meters.get("wxgate.pay.notify.verdicts").tags("verdict", "APPLIED", "acknowledged", "true", "api", "v2")
                .counter().count()).isEqualTo(2);
        assertThat(meters.get("wxgate.pay.notify.verdicts").tags("acknowledged", "false").counter().count()).isEqualTo(1);
    }

    @Test
    void aWeChatPayCallIsTimedWithWeChatsErrCodeOrTheFailuresKind() {
        metrics.wechatPayCall("/pay/unifiedorder", Mono.delay(Duration.ofMillis(20)).thenReturn(Map.of("result_code", "SUCCESS")))
                .block(Duration.ofSeconds(5));
        fail("/pay/unifiedorder", new WechatPayRejected(HttpStatus.PAYMENT_REQUIRED, "NOTENOUGH", "balance"));
        fail("/pay/orderquery", new TransientPayFailure(TransientPayFailure.Kind.SYSTEMERROR, "SYSTEMERROR"));
        fail("/pay/orderquery", new OrderUnknownToWechat());
        fail("/pay/closeorder", new Overloaded("WeChat Pay", Duration.ofSeconds(1)));

        assertThat(outcomes("/pay/unifiedorder", "SUCCESS")).isEqualTo(1);
        assertThat(meters.get("wxgate.wechat.calls").tags("api", "/pay/unifiedorder", "outcome", "SUCCESS").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(15);
        assertThat(outcomes("/pay/unifiedorder", "NOTENOUGH")).isEqualTo(1);
        assertThat(outcomes("/pay/orderquery", "SYSTEMERROR")).isEqualTo(1);
        assertThat(outcomes("/pay/orderquery", "ORDERNOTEXIST")).isEqualTo(1);
        assertThat(outcomes("/pay/closeorder", "overloaded")).isEqualTo(1);
    }

    private void fail(String api, RuntimeException failure) {
        assertThatThrownBy(() -> metrics.wechatPayCall(api, Mono.error(failure)).block(Duration.ofSeconds(5)))
                .isSameAs(failure);
    }

    private long outcomes(String api, String outcome) {
        return meters.get("wxgate.wechat.calls").tags("api", api, "outcome", outcome).timer().count();
    }
}
