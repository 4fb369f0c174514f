package io.wxgate.overload;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A non-blocking bulkhead in front of one WeChat API: at most {@link #limit()} calls in flight, the rest wait in
 * FIFO order within a time budget, and what cannot be served within that budget is refused at once with
 * {@link Overloaded}. The limit follows WeChat's latency (Little's law, see {@link GateSettings}), so a slow WeChat
 * gets more calls in flight rather than a queue, up to the connection pool's size.
 *
 * <p>Refusals here are the gateway's own busyness, not WeChat's health: the gate sits outside the circuit breaker,
 * so nothing it refuses is ever counted against WeChat. Re-entrant: work admitted by {@link #admit} that calls
 * {@code admit} again on the same gate (an order insert wrapping its unifiedorder) holds one permit, not two.
 */
public final class ConcurrencyGate {

    private static final double LATENCY_SMOOTHING = 0.1;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private final String name;
    private final GateSettings settings;
    private final boolean sizedByLatency;
    private final Scheduler timer;
    private final Object lock = new Object();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final Counter refusedFull;
    private final Counter refusedBudget;
    private final Counter refusedTimeout;

    // guarded by lock
    private int inFlight;
    private int queued;
    private int limit;
    private double latencyNanos;
    private boolean measured;

    /** A gate whose limit follows latency x target rate. */
    public ConcurrencyGate(String name, GateSettings settings, MeterRegistry meters) {
        this(name, settings, meters, true, settings.minLimit());
    }

    /**
     * A gate whose limit is set from outside through {@link #resize} (starting at {@code initialLimit}) when
     * {@code sizedByLatency} is false.
     */
    public ConcurrencyGate(String name, GateSettings settings, MeterRegistry meters, boolean sizedByLatency,
                           int initialLimit) {
        this.name = name;
        this.settings = settings;
        this.sizedByLatency = sizedByLatency;
        this.timer = Schedulers.parallel();
        this.limit = clamp(initialLimit);
        // until WeChat has answered once, assume it answers in a tenth of a second
        this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(100);
        Gauge.builder("wxgate.gate.limit", this, ConcurrencyGate::limit).tag("gate", name)
                .description("calls allowed in flight").register(meters);
        Gauge.builder("wxgate.gate.in_flight", this, ConcurrencyGate::inFlight).tag("gate", name).register(meters);
        Gauge.builder("wxgate.gate.queued", this, ConcurrencyGate::queued).tag("gate", name).register(meters);
        this.refusedFull = refused(meters, "queue_full");
        this.refusedBudget = refused(meters, "wait_budget");
        this.refusedTimeout = refused(meters, "wait_timeout");
    }

    private Counter refused(MeterRegistry meters, String reason) {
        return Counter.builder("wxgate.gate.refused").tag("gate", name).tag("reason", reason)
                .description("requests refused by the gate before any work was done").register(meters);
    }

    /** Runs {@code work} once a permit is free (at once when inside work this gate already admitted). */
    public <T> Mono<T> admit(Mono<T> work) {
        return Mono.deferContextual(context -> context.hasKey(this) ? work
                : acquire().flatMap(permit -> work
                        .doOnSuccess(value -> permit.answered())
                        .doFinally(signal -> permit.release())
                        .contextWrite(c -> c.put(this, permit))));
    }

    public int limit() {
        synchronized (lock) {
            return limit;
        }
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    public int queued() {
        synchronized (lock) {
            return queued;
        }
    }

    private Mono<Permit> acquire() {
        return Mono.<Permit>create(sink -> {
            Permit now = null;
            Waiter waiter = null;
            Overloaded refusal = null;
            synchronized (lock) {
                if (inFlight < limit && queued == 0) {
                    inFlight++;
                    now = new Permit();
                } else if (queued >= settings.maxQueue()) {
                    refusal = refusal(refusedFull);
                } else if (expectedWaitNanos(queued + 1) > settings.maxWait().toNanos()) {
                    refusal = refusal(refusedBudget);
                } else {
                    waiter = new Waiter(sink);
                    waiting.addLast(waiter);
                    queued++;
                }
            }
            if (now != null) {
                sink.success(now);
            } else if (refusal != null) {
                sink.error(refusal);
            } else {
                Waiter w = waiter;
                w.timeout = timer.schedule(w::expire, settings.maxWait().toNanos(), TimeUnit.NANOSECONDS);
                sink.onCancel(w::abandon);
            }
        }).doOnDiscard(Permit.class, Permit::release);
    }

    /** How long the n-th request in line waits, with {@code limit} calls each taking the recent latency. */
    private long expectedWaitNanos(int position) {
        return (long) (latencyNanos * Math.ceil((double) position / limit));
    }

    private Overloaded refusal(Counter counter) {
        counter.increment();
        long hint = Math.max(expectedWaitNanos(queued + 1), TimeUnit.SECONDS.toNanos(1));
        Duration retryAfter = Duration.ofNanos(Math.min(hint, MAX_RETRY_AFTER.toNanos()));
        return new Overloaded(name, retryAfter);
    }

    /** Frees a slot, learns from the call's latency, and hands the slot to the oldest live waiter. */
    private void release(long startedNanos, boolean answered) {
        synchronized (lock) {
            if (answered) {
                long sample = System.nanoTime() - startedNanos;
                latencyNanos = measured ? latencyNanos + LATENCY_SMOOTHING * (sample - latencyNanos) : sample;
                measured = true;
                if (sizedByLatency) {
                    limit = clamp(Math.ceil(settings.targetRate() * latencyNanos / TimeUnit.SECONDS.toNanos(1)));
                }
            }
            inFlight--;
        }
        grantWaiting();
    }

    /** Sets the limit (within min and max) and lets waiters in if it grew. */
    public void resize(int newLimit) {
        synchronized (lock) {
            limit = clamp(newLimit);
        }
        grantWaiting();
    }

    // outside the lock: a grant runs the waiter's work, which may come back to this gate
    private void grantWaiting() {
        while (true) {
            Waiter next;
            synchronized (lock) {
                next = nextWaiter();
            }
            if (next == null) {
                return;
            }
            next.grant();
        }
    }

    private int clamp(double wanted) {
        return (int) Math.max(settings.minLimit(), Math.min(settings.maxLimit(), wanted));
    }

    // under lock: the oldest waiter still waiting, already counted as in flight
    private Waiter nextWaiter() {
        while (inFlight < limit && !waiting.isEmpty()) {
            Waiter w = waiting.pollFirst();
            if (w.claim()) {
                queued--;
                inFlight++;
                return w;
            }
        }
        return null;
    }

    /** One admitted call; releasing it twice is harmless. Only answered calls teach the gate WeChat's latency. */
    private final class Permit {
        private final long startedNanos = System.nanoTime();
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean answered;

        void answered() {
            answered = true;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                ConcurrencyGate.this.release(startedNanos, answered);
            }
        }
    }

    /** A request waiting in line; exactly one of grant, expire or abandon wins it. */
    private final class Waiter {
        private final MonoSink<Permit> sink;
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile Disposable timeout;

        Waiter(MonoSink<Permit> sink) {
            this.sink = sink;
        }

        boolean claim() {
            return settled.compareAndSet(false, true);
        }

        void grant() {
            Disposable t = timeout;
            if (t != null) {
                t.dispose();
            }
            sink.success(new Permit());
        }

        void expire() {
            Overloaded refusal = null;
            synchronized (lock) {
                if (claim()) {
                    queued--;
                    refusal = refusal(refusedTimeout);
                }
            }
            if (refusal != null) {
                sink.error(refusal);
            }
        }

        void abandon() {
            synchronized (lock) {
                if (claim()) {
                    queued--;
                }
            }
            Disposable t = timeout;
            if (t != null) {
                t.dispose();
            }
        }
    }
}
