package io.wxgate.pay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxgate.overload.WeChatCalls;
import java.util.Locale;
import reactor.core.publisher.Mono;
import org.springframework.stereotype.Component;

/**
 * WeChat Pay's side of the metrics: every notify's verdict ({@code wxgate_pay_notify_verdicts_total{verdict,
 * acknowledged,api}}) and every call to WeChat Pay, timed with its outcome ({@code wxgate_wechat_calls_seconds} with
 * {@code api} the path, {@code outcome} {@code SUCCESS}, WeChat Pay's err_code, or the transport failure).
 */
@Component
public class PayMetrics {

    private final MeterRegistry meters;
    private final WeChatCalls calls;

    public PayMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.calls = new WeChatCalls(meters);
    }

    /**
     * Counts one notify's verdict ({@code APPLIED}, {@code BAD_SIGN}...), whether WeChat was told SUCCESS, and the
     * API version that sent it ({@code v2}, {@code v3}): the alert on notify failures watches {@code acknowledged="false"}.
     */
    public void notifyVerdict(String verdict, boolean acknowledged, String apiVersion) {
        Counter.builder("wxgate.pay.notify.verdicts")
                .description("notifies received, by verdict and by whether WeChat was told SUCCESS")
                .tag("verdict", verdict)
                .tag("acknowledged", String.valueOf(acknowledged))
                .tag("api", apiVersion)
                .register(meters)
                .increment();
    }

    /** One call to WeChat Pay ({@code api}: its path), timed; the answer's fields pass through unchanged. */
    public <T> Mono<T> wechatPayCall(String api, Mono<T> call) {
        return calls.timed(api, call, answer -> "SUCCESS", PayMetrics::outcome);
    }

    /** The outcome of a failed WeChat Pay call: its err_code when WeChat gave one, else the failure's kind. */
    static String outcome(Throwable e) {
        if (e instanceof TransientPayFailure t) {
            return t.kind().name();
        }
        if (e instanceof WechatPayRejected r) {
            return r.errCode();
        }
        if (e instanceof OrderAlreadyPaid) {
            return "ORDERPAID";
        }
        if (e instanceof OrderClosed) {
            return "ORDERCLOSED";
        }
        if (e instanceof OrderUnknownToWechat) {
            return "ORDERNOTEXIST";
        }
        return WeChatCalls.failure(e).toLowerCase(Locale.ROOT);
    }
}
