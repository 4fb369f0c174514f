package io.wxgate.overload;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.wxgate.web.ErrorResponses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * Keeps the gateway's own CPU from drowning: every request (but WeChat Pay's notify and the actuator) is admitted
 * through a {@link ConcurrencyGate} whose limit follows event-loop lag, so the loops stay responsive, admitted
 * requests finish, the excess waits in a cheap queue, and what would wait past the budget is refused at once with
 * 503 and {@code Retry-After} in the route's own error shape. This is shedding by our capacity, never a breaker:
 * WeChat being slow does not make the loops late, so it never shrinks the limit.
 */
@Component
public class InboundGate implements WebFilter, Ordered, SmartLifecycle {

    private static final double DECREASE = 0.9;
    private static final double INCREASE = 1.1;

    private final OverloadProperties properties;
    private final ConcurrencyGate gate;
    private final ErrorResponses errors;
    private final ServerResponse.Context writers;
    private final AtomicLong lagNanos = new AtomicLong();
    private volatile Disposable probe;
    private volatile long probeSentAt;

    public InboundGate(OverloadProperties properties, MeterRegistry meters, ErrorResponses errors,
                       ServerCodecConfigurer codecs) {
        this.properties = properties;
        this.gate = new ConcurrencyGate("inbound", properties.gate(), meters, false, properties.initialLimit());
        this.errors = errors;
        List<HttpMessageWriter<?>> messageWriters = codecs.getWriters();
        this.writers = new ServerResponse.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return messageWriters;
            }

            @Override
            public List<ViewResolver> viewResolvers() {
                return List.of();
            }
        };
        Gauge.builder("wxgate.event_loop.lag", lagNanos, l -> l.get() / 1e9).baseUnit("seconds")
                .description("how late a task scheduled on the server's event loops ran, worst loop").register(meters);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!properties.enabled() || path.startsWith("/api/v1/pay/notify") || path.startsWith("/actuator")) {
            return chain.filter(exchange);
        }
        return gate.admit(chain.filter(exchange))
                .onErrorResume(Overloaded.class, refused -> exchange.getResponse().isCommitted() ? Mono.error(refused)
                        : refuse(exchange, refused));
    }

    private Mono<Void> refuse(ServerWebExchange exchange, Overloaded refused) {
        var answer = errors.gateway(refused, exchange);
        return ServerResponse.status(answer.getStatusCode()).headers(h -> h.addAll(answer.getHeaders()))
                .bodyValue(answer.getBody())
                .flatMap(response -> response.writeTo(exchange, writers));
    }

    public ConcurrencyGate gate() {
        return gate;
    }

    /** One probe: how late the worst server loop runs a task, then the limit steps down or up. */
    void adjust(long lag) {
        lagNanos.set(lag);
        int limit = gate.limit();
        if (lag > properties.targetLag().toNanos()) {
            gate.resize((int) (limit * DECREASE));
        } else if (gate.queued() > 0) {
            gate.resize((int) Math.ceil(limit * INCREASE));
        }
    }

    // a task on every server loop; when the slowest has run, its lateness is the lag. A probe still out at the next
    // tick is judged by how long it has been out, so a loop that is stuck for good still shrinks the limit.
    private void measure() {
        long now = System.nanoTime();
        long out = probeSentAt;
        if (out != 0) {
            adjust(now - out);
            return;
        }
        List<EventExecutor> loops = new ArrayList<>();
        HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE).forEach(loops::add);
        AtomicInteger remaining = new AtomicInteger(loops.size());
        probeSentAt = now;
        for (EventExecutor loop : loops) {
            loop.execute(() -> {
                if (remaining.decrementAndGet() == 0) {
                    long lag = System.nanoTime() - now;
                    probeSentAt = 0;
                    adjust(lag);
                }
            });
        }
    }

    @Override
    public void start() {
        if (properties.enabled()) {
            long every = properties.probeInterval().toNanos();
            probe = Schedulers.parallel().schedulePeriodically(this::measure, every, every, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void stop() {
        Disposable p = probe;
        if (p != null) {
            p.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return probe != null && !probe.isDisposed();
    }
}
