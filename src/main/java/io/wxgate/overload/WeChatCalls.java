package io.wxgate.overload;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wxgate.web.GatewayException;
import java.time.Duration;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Times calls to WeChat by API and outcome ({@code wxgate_wechat_calls_seconds{api,outcome}}), a latency histogram
 * whose {@code _count} is the number of calls. The outcome is what WeChat said (its errcode, {@code 0} for none; or
 * WeChat Pay's {@code SUCCESS}/err_code) or, when it said nothing usable, the gateway's code for the failure
 * ({@code wechat_timeout}, {@code wechat_unavailable}, {@code overloaded}...): a small, fixed vocabulary, never a
 * value taken from a request.
 */
public final class WeChatCalls {

    static final String METRIC = "wxgate.wechat.calls";

    private final MeterRegistry meters;

    public WeChatCalls(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * {@code call}, timed from subscription to its end: {@code outcome} names an answer, {@link #failure} an error;
     * a call cancelled before either (the caller gave up) counts as {@code cancelled}.
     */
    public <T> Mono<T> timed(String api, Mono<T> call, Function<? super T, String> outcome) {
        return timed(api, call, outcome, WeChatCalls::failure);
    }

    /** As {@link #timed(String, Mono, Function)}, with the caller's own names for failures. */
    public <T> Mono<T> timed(String api, Mono<T> call, Function<? super T, String> outcome,
                             Function<Throwable, String> failure) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return call
                    .doOnSuccess(answer -> record(api, answer == null ? "empty" : outcome.apply(answer), start))
                    .doOnError(e -> record(api, failure.apply(e), start))
                    .doOnCancel(() -> record(api, "cancelled", start));
        });
    }

    /** Records one call that took {@code took}. */
    public void record(String api, String outcome, Duration took) {
        timer(api, outcome).record(took);
    }

    /** The outcome of a call that failed: a gateway error's stable code, else the error's type. */
    public static String failure(Throwable e) {
        return e instanceof GatewayException g ? g.code() : e.getClass().getSimpleName();
    }

    private void record(String api, String outcome, long startNanos) {
        record(api, outcome, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private Timer timer(String api, String outcome) {
        return Timer.builder(METRIC)
                .description("calls to WeChat by API and outcome (errcode, or the failure's code)")
                .tag("api", api)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(meters);
    }
}
