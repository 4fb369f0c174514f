package io.wxgate.pay;

import jakarta.annotation.PreDestroy;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Finds open orders older than {@code wechat.pay.reconciler.age} whose notify never arrived, asks WeChat
 * ({@code orderquery}) and applies the answer through the same guarded transition as a notify; an order still
 * unpaid when its prepay_id has expired is closed at WeChat and here, so it stops being asked about. Each order is
 * first claimed with a guarded lease write ({@code reconcile_after}), so several gateway instances share the
 * work instead of repeating it; and even if two asked at once, only one transition could happen.
 */
@Component
public class PayReconciler {

    private static final Logger log = LoggerFactory.getLogger(PayReconciler.class);

    private final OrderRepository orders;
    private final OrderService service;
    private final PayProperties.Reconciler settings;
    private Disposable running;

    public PayReconciler(OrderRepository orders, OrderService service, PayProperties properties) {
        this.orders = orders;
        this.service = service;
        this.settings = properties.reconciler();
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void start() {
        if (!settings.enabled() || running != null) {
            return;
        }
        running = Flux.interval(settings.interval(), settings.interval())
                .onBackpressureDrop()
                .concatMap(tick -> reconcileOnce()
                        .onErrorResume(e -> {
                            log.warn("reconcile pass failed: {}", e.toString());
                            return Mono.just(0L);
                        }), 0)
                .subscribe(settled -> {
                    if (settled > 0) {
                        log.info("reconciler settled {} order(s)", settled);
                    }
                });
        log.info("reconciler started: orders older than {} every {}", settings.age(), settings.interval());
    }

    @PreDestroy
    public synchronized void stop() {
        if (running != null) {
            running.dispose();
            running = null;
        }
    }

    /** One pass: claims due orders and asks WeChat about each; emits how many left the open states. */
    public Mono<Long> reconcileOnce() {
        Instant now = Instant.now();
        return orders.dueForReconcile(now.minus(settings.age()), now, settings.batchSize())
                .concatMap(no -> orders.claimForReconcile(no, now, now.plus(settings.lease()))
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
                        }))
                .count();
    }
}
