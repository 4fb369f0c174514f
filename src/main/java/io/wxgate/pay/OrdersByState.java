package io.wxgate.pay;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code wxgate_pay_orders{state}}: how many orders are in each trade state, counted with one grouped query every
 * {@code gateway.metrics.orders-by-state-interval} (not at scrape time, so a scrape never touches the database).
 * Every instance counts the same table; a dashboard takes {@code max by (state)}.
 */
@Component
public class OrdersByState implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OrdersByState.class);

    private final OrderRepository orders;
    private final OrderGaugeProperties settings;
    private final Map<TradeState, AtomicLong> counts = new EnumMap<>(TradeState.class);
    private Disposable running;

    public OrdersByState(OrderRepository orders, OrderGaugeProperties settings, MeterRegistry meters) {
        this.orders = orders;
        this.settings = settings;
        for (TradeState state : TradeState.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(state, count);
            Gauge.builder("wxgate.pay.orders", count, AtomicLong::get)
                    .description("orders in each trade_state, as last counted")
                    .tag("state", state.name())
                    .register(meters);
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void start() {
        if (running != null) {
            return;
        }
        running = Flux.interval(settings.ordersByStateInterval().dividedBy(10), settings.ordersByStateInterval())
                .onBackpressureDrop()
                .concatMap(tick -> countOnce().onErrorResume(e -> {
                    log.debug("counting orders by state failed: {}", e.toString());
                    return Mono.empty();
                }), 0)
                .subscribe();
    }

    /** Counts once and updates the gauges; a state with no orders reads 0. */
    public Mono<Void> countOnce() {
        return orders.countByState()
                .doOnNext(byState -> counts.forEach((state, count) ->
                        count.set(byState.getOrDefault(state.name(), 0L))))
                .then();
    }

    @Override
    public synchronized void destroy() {
        if (running != null) {
            running.dispose();
            running = null;
        }
    }
}
