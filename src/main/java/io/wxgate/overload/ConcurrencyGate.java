package io.wxgate.overload;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A non-blocking bulkhead: at most {@link #limit()} calls in flight, the rest wait in line within a time budget,
 * and what cannot be served within that budget is refused at once with {@link Overloaded}. In front of one WeChat
 * API the limit follows WeChat's latency (Little's law, see {@link GateSettings}), so a slow WeChat gets more calls
 * in flight rather than a queue, up to the connection pool's size. In front of the gateway itself (the inbound
 * gate, {@link #forTheBox}) it bounds the requests doing local work.
 *
 * <p>Three lanes, served in order: {@link Lane#RESUMING} (a request coming back from WeChat to finish; never
 * refused), {@link Lane#CONTINUING} (a request of a journey already started) and {@link Lane#NEW} (a journey's first
 * request, a login). Under overload the new ones wait behind the rest and are the ones refused, so the work already
 * admitted completes and the box's capacity goes to purchases that finish.
 *
 * <p>Refusals here are the gateway's own busyness, not WeChat's health: the gate sits outside the circuit breaker,
 * so nothing it refuses is ever counted against WeChat. Re-entrant: work admitted by {@link #admit} that calls
 * {@code admit} again on the same gate (an order insert wrapping its unifiedorder) holds one permit, not two. A call
 * through a WeChat gate made by a request the box gate admitted gives the box's slot back while it is away and
 * takes it again, in the resuming lane, when WeChat has answered: waiting on WeChat is not local work.
 */
public final class ConcurrencyGate {

    /** The lines a request may wait in, in the order they are served. */
    public enum Lane { RESUMING, CONTINUING, NEW }

    // the context key under which the box gate's permit travels with its request
    private static final Object BOX = new Object();
    private static final Lane[] LANES = Lane.values();

    private static final double LATENCY_SMOOTHING = 0.1;
    private static final double REFUSAL_FADE = 0.99;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private final String name;
    private final GateSettings settings;
    private final boolean sizedByLatency;
    private final boolean box;
    private final Scheduler timer;
    private final Object lock = new Object();
    private final ArrayDeque<Waiter>[] waiting;
    private final int[] queuedIn = new int[LANES.length];
    private final AtomicInteger granting = new AtomicInteger();
    private final Counter refusedFull;
    private final Counter refusedBudget;
    private final Counter refusedTimeout;

    // guarded by lock
    private int inFlight;
    private int limit;
    private double latencyNanos;
    // per lane: how long a place in line has recently taken to reach the front (0 until a waiter was served)
    private final double[] waitPerPlaceNanos = new double[LANES.length];
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
        this(name, settings, meters, sizedByLatency, initialLimit, false);
    }

    /**
     * The gate in front of the gateway's own work, its limit set from outside: a request it admitted steps out of
     * it while a WeChat gate's call is away.
     */
    public static ConcurrencyGate forTheBox(String name, GateSettings settings, MeterRegistry meters, int initialLimit) {
        return new ConcurrencyGate(name, settings, meters, false, initialLimit, true);
    }

    @SuppressWarnings("unchecked")
    private ConcurrencyGate(String name, GateSettings settings, MeterRegistry meters, boolean sizedByLatency,
                            int initialLimit, boolean box) {
        this.name = name;
        this.settings = settings;
        this.sizedByLatency = sizedByLatency;
        this.box = box;
        this.waiting = new ArrayDeque[LANES.length];
        for (int i = 0; i < LANES.length; i++) {
            waiting[i] = new ArrayDeque<>();
        }
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

    /**
     * Runs {@code work} once a permit is free (at once when inside work this gate already admitted), in the
     * continuing lane.
     */
    public <T> Mono<T> admit(Mono<T> work) {
        return admit(Lane.CONTINUING, work);
    }

    /**
     * Runs {@code work}, a call to the service behind this gate, once a permit is free, waiting in {@code lane}. A
     * request the box gate admitted is away from the box meanwhile: while it waits here and while the call runs.
     */
    public <T> Mono<T> admit(Lane lane, Mono<T> work) {
        return Mono.deferContextual(context -> {
            Permit boxPermit = box ? null : context.getOrDefault(BOX, null);
            if (context.hasKey(this)) {
                return boxPermit == null ? work : boxPermit.away(work);
            }
            Mono<T> admitted = acquire(lane).flatMap(permit -> run(permit, work));
            return boxPermit == null ? admitted : boxPermit.away(admitted);
        });
    }

    /**
     * Runs {@code work}, local work that will call the service behind this gate (through {@link #admit}), under
     * one permit of this gate: a request refused here has done nothing. A request the box gate admitted is away
     * from the box only while it waits here; the local work holds its box slot, and the calls it makes through
     * {@code admit} step away as calls do.
     */
    public <T> Mono<T> reserve(Mono<T> work) {
        return Mono.deferContextual(context -> {
            if (context.hasKey(this)) {
                return work;
            }
            Permit boxPermit = box ? null : context.getOrDefault(BOX, null);
            Mono<Permit> waited = boxPermit == null ? acquire(Lane.CONTINUING) : boxPermit.away(acquire(Lane.CONTINUING));
            return waited.flatMap(permit -> run(permit, work));
        });
    }

    private <T> Mono<T> run(Permit permit, Mono<T> work) {
        return work.doOnSuccess(value -> permit.answered())
                .doFinally(signal -> permit.release())
                .contextWrite(c -> box ? c.put(this, permit).put(BOX, permit) : c.put(this, permit));
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
            return aheadOf(Lane.NEW);
        }
    }

    /** Requests waiting in {@code lane}. */
    public int queued(Lane lane) {
        synchronized (lock) {
            return queuedIn[lane.ordinal()];
        }
    }

    private Mono<Permit> acquire(Lane lane) {
        return Mono.<Permit>create(sink -> {
            Permit now = null;
            Waiter waiter = null;
            Overloaded refusal = null;
            boolean resuming = lane == Lane.RESUMING;
            synchronized (lock) {
                int ahead = aheadOf(lane);
                if (inFlight < limit && ahead == 0) {
                    inFlight++;
                    now = new Permit();
                    // no wait at all: what places in this lane take fades
                    waitPerPlaceNanos[lane.ordinal()] *= 1 - LATENCY_SMOOTHING;
                } else if (!resuming && aheadOf(Lane.NEW) >= settings.maxQueue()) {
                    refusal = refusal(refusedFull, lane, ahead + 1);
                } else if (!resuming && expectedWaitNanos(lane, ahead + 1) > budgetNanos(lane)) {
                    refusal = refusal(refusedBudget, lane, ahead + 1);
                    // refused ones teach nothing: without this fade, a lane whose estimate once passed its budget
                    // would refuse everyone for good; now one is let in line now and then to measure again
                    waitPerPlaceNanos[lane.ordinal()] *= REFUSAL_FADE;
                } else {
                    waiter = new Waiter(sink, lane, ahead + 1);
                    waiting[lane.ordinal()].addLast(waiter);
                    queuedIn[lane.ordinal()]++;
                }
            }
            if (now != null) {
                sink.success(now);
            } else if (refusal != null) {
                sink.error(refusal);
            } else {
                Waiter w = waiter;
                if (!resuming) {
                    w.timeout = timer.schedule(w::expire, settings.maxWait().toNanos(), TimeUnit.NANOSECONDS);
                }
                sink.onCancel(w::abandon);
            }
        }).doOnDiscard(Permit.class, Permit::release);
    }

    /**
     * How long a request may expect to wait and still be let in line: the whole {@code maxWait}, but half of it for
     * a new journey, which later arrivals overtake: one let in should be served, not refused after waiting.
     */
    private long budgetNanos(Lane lane) {
        long budget = settings.maxWait().toNanos();
        return lane == Lane.NEW ? budget / 2 : budget;
    }

    // under lock: how many wait in this lane and the lanes served before it (all of them: NEW, the last lane)
    private int aheadOf(Lane lane) {
        int ahead = 0;
        for (int i = 0; i <= lane.ordinal(); i++) {
            ahead += queuedIn[i];
        }
        return ahead;
    }

    /**
     * How long the n-th request in {@code lane}'s line would wait: as long as places in that lane have recently
     * taken (which counts the requests of earlier lanes that arrive later and go first), or, before any waiter was
     * served, {@code limit} calls at a time each taking the recent latency.
     */
    private long expectedWaitNanos(Lane lane, int position) {
        double perPlace = waitPerPlaceNanos[lane.ordinal()];
        return perPlace > 0 ? (long) (perPlace * position)
                : (long) (latencyNanos * Math.ceil((double) position / limit));
    }

    private Overloaded refusal(Counter counter, Lane lane, int position) {
        counter.increment();
        long hint = Math.max(expectedWaitNanos(lane, position), TimeUnit.SECONDS.toNanos(1));
        Duration retryAfter = Duration.ofNanos(Math.min(hint, MAX_RETRY_AFTER.toNanos()));
        return new Overloaded(name, retryAfter);
    }

    /** Frees a slot, learns from the call's latency, and hands the slot to the first live waiter. */
    private void release(long heldNanos, boolean answered) {
        synchronized (lock) {
            if (answered) {
                long sample = heldNanos;
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

    // outside the lock: a grant runs the waiter's work, which may come back to this gate (release a permit, step
    // away to WeChat) and so ask for more grants; those are left to the loop already granting, never nested, so a
    // long line does not become a deep stack
    private void grantWaiting() {
        if (granting.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (true) {
                Waiter next;
                synchronized (lock) {
                    next = nextWaiter();
                }
                if (next == null) {
                    break;
                }
                next.grant();
            }
            missed = granting.addAndGet(-missed);
        } while (missed != 0);
    }

    private int clamp(double wanted) {
        return (int) Math.max(settings.minLimit(), Math.min(settings.maxLimit(), wanted));
    }

    // under lock: the first waiter still waiting, by lane then by arrival, already counted as in flight
    private Waiter nextWaiter() {
        for (ArrayDeque<Waiter> lane : waiting) {
            while (inFlight < limit && !lane.isEmpty()) {
                Waiter w = lane.pollFirst();
                if (w.claim()) {
                    dequeued(w.lane);
                    inFlight++;
                    learnWait(w);
                    return w;
                }
            }
        }
        return null;
    }

    // under lock: the time a place in this waiter's lane took, smoothed
    private void learnWait(Waiter w) {
        double sample = (double) (System.nanoTime() - w.enqueuedNanos) / w.place;
        double before = waitPerPlaceNanos[w.lane.ordinal()];
        waitPerPlaceNanos[w.lane.ordinal()] = before > 0 ? before + LATENCY_SMOOTHING * (sample - before) : sample;
    }

    // under lock
    private void dequeued(Lane lane) {
        queuedIn[lane.ordinal()]--;
    }

    /**
     * One admitted call; releasing it twice is harmless. Only answered calls teach the gate its latency, and only
     * the time the permit was held counts (not the time it was away, see {@link #away}).
     */
    private final class Permit {
        // guarded by lock
        private boolean held = true;
        private boolean released;
        private long heldSince = System.nanoTime();
        private long heldNanos;
        private volatile boolean answered;

        void answered() {
            answered = true;
        }

        void release() {
            boolean free;
            long heldFor;
            synchronized (lock) {
                if (released) {
                    return;
                }
                released = true;
                free = held;
                held = false;
                heldFor = heldNanos + (free ? System.nanoTime() - heldSince : 0);
            }
            if (free) {
                ConcurrencyGate.this.release(heldFor, answered);
            } else {
                grantWaiting();
            }
        }

        /**
         * Runs {@code call} with this permit's slot given back, then waits for a slot again in the resuming lane
         * before passing on the call's outcome. A permit already away (a call nested in another) stays away.
         */
        <T> Mono<T> away(Mono<T> call) {
            return Mono.defer(() -> {
                synchronized (lock) {
                    if (!held || released) {
                        return call;
                    }
                    held = false;
                    heldNanos += System.nanoTime() - heldSince;
                    inFlight--;
                }
                grantWaiting();
                return call.materialize()
                        .flatMap(outcome -> acquire(Lane.RESUMING)
                                .map(slot -> {
                                    comeBack(slot);
                                    return outcome;
                                })
                                // given up while coming back: a permit of another gate the call brought is freed
                                .doOnCancel(() -> {
                                    if (outcome.get() instanceof Permit brought) {
                                        brought.release();
                                    }
                                }))
                        .dematerialize();
            });
        }

        // takes over the slot just granted to the resuming lane, unless this permit was released meanwhile
        private void comeBack(Permit slot) {
            boolean giveBack;
            synchronized (lock) {
                giveBack = released;
                if (!released) {
                    held = true;
                    heldSince = System.nanoTime();
                    slot.released = true;
                    slot.held = false;
                }
            }
            if (giveBack) {
                slot.release();
            }
        }
    }

    /** A request waiting in line; exactly one of grant, expire or abandon wins it. */
    private final class Waiter {
        private final MonoSink<Permit> sink;
        private final Lane lane;
        private final int place;
        private final long enqueuedNanos = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile Disposable timeout;

        Waiter(MonoSink<Permit> sink, Lane lane, int place) {
            this.sink = sink;
            this.lane = lane;
            this.place = place;
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
                    dequeued(lane);
                    // its place took at least the whole budget: the next ones that far back are refused at once
                    learnWait(this);
                    refusal = refusal(refusedTimeout, lane, aheadOf(Lane.NEW) + 1);
                }
            }
            if (refusal != null) {
                sink.error(refusal);
            }
        }

        void abandon() {
            synchronized (lock) {
                if (claim()) {
                    dequeued(lane);
                }
            }
            Disposable t = timeout;
            if (t != null) {
                t.dispose();
            }
        }
    }
}
