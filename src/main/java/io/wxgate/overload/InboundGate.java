package io.wxgate.overload;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.wxgate.web.ErrorResponses;
import io.wxgate.web.HttpLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * Keeps the gateway's own CPU from drowning: every request (but WeChat Pay's notify and the actuator) is admitted
 * through a {@link ConcurrencyGate} whose limit follows event-loop lag, so the loops stay responsive, admitted
 * requests finish, the excess waits in a cheap queue, and what would wait past the budget is refused at once with
 * 503 and {@code Retry-After} in the route's own error shape. This is shedding by our capacity, never a breaker:
 * WeChat being slow does not make the loops late, so it never shrinks the limit, and a request waiting on WeChat
 * gives its slot back meanwhile (see {@link ConcurrencyGate}).
 *
 * <p>A login starts a journey (login, user data, pay) and waits in the gate's new lane, behind the requests of
 * journeys already started: when the box cannot serve everyone, it is new logins that are refused, and the work
 * already done for the admitted users is not thrown away. A request's body is read before it is admitted, so a
 * client sending its body slowly holds a connection, never one of the gate's slots.
 */
@Component
public class InboundGate implements WebFilter, Ordered, SmartLifecycle {

    private static final Set<String> LOGINS = Set.of("/login/", "/login", "/api/v1/sessions");
    private static final String AVATARS = "/api/v1/users/me/avatar";
    private static final double DECREASE = 0.9;
    private static final double INCREASE = 1.1;

    private final OverloadProperties properties;
    private final ConcurrencyGate gate;
    private final ErrorResponses errors;
    private final ServerResponse.Context writers;
    private final int maxBodyBytes;
    private final AtomicLong lagNanos = new AtomicLong();
    private volatile Disposable probe;
    private volatile long probeSentAt;

    public InboundGate(OverloadProperties properties, MeterRegistry meters, ErrorResponses errors,
                       ServerCodecConfigurer codecs, HttpLimits limits) {
        this.properties = properties;
        this.gate = ConcurrencyGate.forTheBox("inbound", properties.gate(), meters, properties.initialLimit());
        this.errors = errors;
        this.maxBodyBytes = limits.maxBodyBytes();
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
        ConcurrencyGate.Lane lane = LOGINS.contains(path) ? ConcurrencyGate.Lane.NEW : ConcurrencyGate.Lane.CONTINUING;
        return withBodyRead(exchange, read -> gate.admit(lane, chain.filter(read)))
                .onErrorResume(Overloaded.class, refused -> exchange.getResponse().isCommitted() ? Mono.error(refused)
                        : refuse(exchange, refused));
    }

    /**
     * Reads the request's body (at most the routes' limit) and runs {@code then} with a request that replays it;
     * a request without a body, or an avatar upload (its own limit, read by its route), goes on as it is.
     */
    private Mono<Void> withBodyRead(ServerWebExchange exchange, Function<ServerWebExchange, Mono<Void>> then) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        boolean body = headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
        if (!body || request.getPath().value().startsWith(AVATARS)) {
            return then.apply(exchange);
        }
        return DataBufferUtils.join(request.getBody(), maxBodyBytes)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(read -> {
                    if (read.isEmpty()) {
                        return then.apply(exchange.mutate().request(replaying(request, Flux.empty())).build());
                    }
                    // the buffer is ours until the handler takes it; whoever ends up with it releases it once
                    DataBuffer buffer = read.get();
                    AtomicBoolean subscribed = new AtomicBoolean();
                    AtomicBoolean ours = new AtomicBoolean(true);
                    Runnable releaseIfOurs = () -> {
                        if (ours.compareAndSet(true, false)) {
                            DataBufferUtils.release(buffer);
                        }
                    };
                    Flux<DataBuffer> replay = Flux.defer(() -> subscribed.compareAndSet(false, true)
                            ? Flux.just(buffer).filter(b -> ours.compareAndSet(true, false)).doOnCancel(releaseIfOurs)
                            : Flux.empty());
                    return then.apply(exchange.mutate().request(replaying(request, replay)).build())
                            .doFinally(signal -> releaseIfOurs.run());
                })
                .onErrorResume(DataBufferLimitException.class, tooLarge -> write(exchange, ErrorResponses.respond(
                        exchange, HttpStatus.PAYLOAD_TOO_LARGE, "body_too_large", 1, "request body is too large")));
    }

    private static ServerHttpRequest replaying(ServerHttpRequest request, Flux<DataBuffer> body) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return body;
            }
        };
    }

    private Mono<Void> refuse(ServerWebExchange exchange, Overloaded refused) {
        return write(exchange, errors.gateway(refused, exchange));
    }

    private Mono<Void> write(ServerWebExchange exchange, ResponseEntity<Object> answer) {
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
