package io.wxgate.pay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Finds open orders older than {@code wechat.pay.reconciler.age} whose notify never arrived, asks WeChat
 * ({@code orderquery}) and applies the answer through the same guarded transition as a notify; an order still
 * unpaid when its prepay_id has expired is closed at WeChat and here, so it stops being asked about. Each order is
 * first claimed with a guarded lease write ({@code reconcile_after}), so several gateway instances share the
 * work instead of repeating it; and even if two asked at once, only one transition could happen. On shutdown it
 * takes no new pass and lets the one in flight finish. Counted in {@code wxgate_pay_reconciler_*}.
 */
@Component
public class PayReconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PayReconciler.class);

    private final OrderRepository orders;
    private final OrderService service;
    private final PayProperties.Reconciler settings;
    private final Counter passesDone;
    private final Counter passesFailed;
    private final Counter settledOrders;
    private final AtomicLong lastSuccessEpochSecond = new AtomicLong();
    private Disposable running;
    private volatile boolean stopping;
    private Sinks.Empty<Void> stopRequested;
    private Runnable afterStop;

    public PayReconciler(OrderRepository orders, OrderService service, PayProperties properties, MeterRegistry meters) {
        this.orders = orders;
        this.service = service;
        this.settings = properties.reconciler();
        this.passesDone = Counter.builder("wxgate.pay.reconciler.passes").tag("result", "done")
                .description("reconciler passes, by whether they ran through").register(meters);
        this.passesFailed = Counter.builder("wxgate.pay.reconciler.passes").tag("result", "failed")
                .description("reconciler passes, by whether they ran through").register(meters);
        this.settledOrders = Counter.builder("wxgate.pay.reconciler.settled")
                .description("orders the reconciler moved out of the open states (paid, closed...)").register(meters);
        if (settings.enabled()) {
            // only where a reconciler runs, so "no recent pass" alerts are about instances that should make one
            Gauge.builder("wxgate.pay.reconciler.last_success", lastSuccessEpochSecond, AtomicLong::get)
                    .description("when the last reconciler pass ran through (its start at first), seconds since the epoch")
                    .baseUnit("seconds")
                    .register(meters);
        }
    }

    /** Starts the passes once the gateway is ready (not at refresh: the first one should not race start-up). */
    @EventListener(ApplicationReadyEvent.class)
    @Override
    public synchronized void start() {
        if (!settings.enabled() || running != null) {
            return;
        }
        lastSuccessEpochSecond.set(Instant.now().getEpochSecond());
        stopping = false;
        Sinks.Empty<Void> stop = Sinks.empty();
        stopRequested = stop;
        running = Flux.interval(settings.interval(), settings.interval())
                // a stop ends the ticks; concatMap then lets the pass in flight end before it completes
                .takeUntilOther(stop.asMono())
                .onBackpressureDrop()
                .concatMap(tick -> reconcileOnce()
                        .onErrorResume(e -> {
                            log.warn("reconcile pass failed: {}", e.toString());
                            return Mono.just(0L);
                        }), 0)
                .doFinally(signal -> stopped())
                .subscribe(settled -> {
                    if (settled > 0) {
                        log.info("reconciler settled {} order(s)", settled);
                    }
                });
        log.info("reconciler started: orders older than {} every {}", settings.age(), settings.interval());
    }

    /**
     * Shutdown (SIGTERM, context close): takes no new pass and no further order of the pass in flight, lets the
     * order being settled finish (its claim would otherwise hold it from every instance for a lease), then reports
     * stopped. Spring waits for that up to {@code spring.lifecycle.timeout-per-shutdown-phase}; {@link #destroy}
     * cuts whatever is still running after it.
     */
    @Override
    public void stop(Runnable callback) {
        Sinks.Empty<Void> stop;
        synchronized (this) {
            if (running == null) {
                callback.run();
                return;
            }
            afterStop = callback;
            stop = stopRequested;
            stopping = true;
        }
        log.info("reconciler stopping: no new pass or order; the order in flight, if any, finishes");
        stop.tryEmitEmpty();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public synchronized boolean isRunning() {
        return running != null;
    }

    /** Stops before the web server and the pools it needs (R2DBC, WeChat Pay) go away. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /** Started by {@link ApplicationReadyEvent}, not at refresh. */
    @Override
    public boolean isAutoStartup() {
        return false;
    }

    @PreDestroy
    public void destroy() {
        Disposable cut;
        synchronized (this) {
            cut = running;
        }
        if (cut != null) {
            cut.dispose();
        }
    }

    private void stopped() {
        Runnable callback;
        synchronized (this) {
            running = null;
            stopRequested = null;
            callback = afterStop;
            afterStop = null;
        }
        if (callback != null) {
            log.info("reconciler stopped");
            callback.run();
        }
    }

    /** One pass: claims due orders and asks WeChat about each; emits how many left the open states. */
    public Mono<Long> reconcileOnce() {
        Instant now = Instant.now();
        return orders.dueForReconcile(now.minus(settings.age()), now, settings.batchSize())
                // once stopping, the orders left are not claimed: another instance takes them
                .concatMap(no -> Mono.defer(() -> stopping ? Mono.<PayOrder>empty() : settle(no, now)))
                .count()
                .doOnNext(settled -> {
                    passesDone.increment();
                    settledOrders.increment(settled);
                    lastSuccessEpochSecond.set(Instant.now().getEpochSecond());
                })
                .doOnError(e -> passesFailed.increment());
    }

    /** Claims one order and asks WeChat about it; emits the order if it left the open states. */
    private Mono<PayOrder> settle(String no, Instant now) {
        return orders.claimForReconcile(no, now, now.plus(settings.lease()))
                .filter(Boolean::booleanValue)
                .flatMap(claimed -> orders.find(no))
                .filter(order -> order.tradeState().open())
                .flatMap(order -> service.refresh(order)
                        // WeChat never heard of it (unifiedorder never went through): judge it by its age alone
                        .onErrorResume(OrderUnknownToWechat.class, unknown -> Mono.just(order)))
                .flatMap(order -> service.closeIfExpired(order, now))
                .filter(order -> !order.tradeState().open())
                // one order WeChat cannot answer about must not stop the pass
                .onErrorResume(e -> {
                    log.info("reconcile of {} skipped: {}", no, e.getMessage());
                    return Mono.empty();
                });
    }
}
