package io.wxgate.overload;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A circuit breaker's state as gauges: {@code wxgate_breaker_state{breaker,state}} is 1 for the state it is in and 0
 * for the others, {@code wxgate_breaker_failure_rate{breaker}} its failure rate in percent (-1 until it has seen
 * enough calls). Read at scrape time only. Every {@link CircuitBreaker} bean is registered here; a breaker kept
 * inside its client registers itself with {@link #register}.
 */
@Component
public class BreakerGauges {

    private static final CircuitBreaker.State[] REPORTED = {
            CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN,
            CircuitBreaker.State.FORCED_OPEN, CircuitBreaker.State.DISABLED};

    public BreakerGauges(ObjectProvider<CircuitBreaker> breakers, MeterRegistry meters) {
        breakers.orderedStream().forEach(breaker -> register(breaker, meters));
    }

    /** Registers {@code breaker}'s gauges, tagged with its name. */
    public static void register(CircuitBreaker breaker, MeterRegistry meters) {
        for (CircuitBreaker.State state : REPORTED) {
            Gauge.builder("wxgate.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .description("1 for the state the circuit breaker is in, 0 for the others")
                    .tag("breaker", breaker.getName())
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(meters);
        }
        Gauge.builder("wxgate.breaker.failure_rate", breaker, b -> b.getMetrics().getFailureRate())
                .description("failure rate in percent over the breaker's window; -1 until it has enough calls")
                .tag("breaker", breaker.getName())
                .strongReference(true)
                .register(meters);
    }
}
