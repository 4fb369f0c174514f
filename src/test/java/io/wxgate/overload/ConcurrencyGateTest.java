package io.wxgate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ConcurrencyGateTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private ConcurrencyGate gate(int limit, Duration maxWait, int maxQueue) {
        return new ConcurrencyGate("test", new GateSettings(limit, limit, 1, maxWait, maxQueue), meters);
    }

    /** The inbound gate: requests that step away to a WeChat gate give their slot back while they are there. */
    private ConcurrencyGate box(int limit, Duration maxWait, int maxQueue) {
        return ConcurrencyGate.forTheBox("box", new GateSettings(limit, limit, 1, maxWait, maxQueue), meters, limit);
    }

    /** A call that stays in flight until the test answers it. */
    private static Sinks.One<String> pending() {
        return Sinks.one();
    }

    @Test
    void admittedCallsRunAtOnceUpToTheLimit() {
        ConcurrencyGate gate = gate(2, Duration.ofSeconds(5), 10);
        Sinks.One<String> first = pending();
        Sinks.One<String> second = pending();
        List<String> answers = new ArrayList<>();
        gate.admit(first.asMono()).subscribe(answers::add);
        gate.admit(second.asMono()).subscribe(answers::add);

        assertThat(gate.inFlight()).isEqualTo(2);
        assertThat(gate.queued()).isZero();
        first.tryEmitValue("one");
        second.tryEmitValue("two");
        assertThat(answers).containsExactly("one", "two");
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aWaitingCallIsServedWhenASlotFreesInArrivalOrder() {
        ConcurrencyGate gate = gate(1, Duration.ofSeconds(5), 10);
        Sinks.One<String> busy = pending();
        List<String> order = new ArrayList<>();
        gate.admit(busy.asMono()).subscribe(order::add);
        gate.admit(Mono.fromSupplier(() -> "second")).subscribe(order::add);
        gate.admit(Mono.fromSupplier(() -> "third")).subscribe(order::add);
        gate.admit(Mono.fromSupplier(() -> "fourth")).subscribe(order::add);
        assertThat(gate.queued()).isEqualTo(3);
        assertThat(order).isEmpty();

        busy.tryEmitValue("first");

        assertThat(order).containsExactly("first", "second", "third", "fourth");
        assertThat(gate.inFlight()).isZero();
        assertThat(gate.queued()).isZero();
    }

    @Test
    void aFullQueueIsRefusedAtOnceWithRetryAfter() {
        ConcurrencyGate gate = gate(1, Duration.ofSeconds(5), 1);
        gate.admit(pending().asMono()).subscribe();
        gate.admit(pending().asMono()).subscribe();

        // refused during subscribe, on the caller's thread: it never waits
        List<Throwable> refused = new ArrayList<>();
        gate.admit(Mono.just("never")).subscribe(value -> { }, refused::add);
        assertThat(refused).singleElement().isInstanceOfSatisfying(Overloaded.class, e -> {
            assertThat(e.retryAfter()).isPositive();
            assertThat(e.status().value()).isEqualTo(503);
        });
        assertThat(meters.get("wxgate.gate.refused").tag("reason", "queue_full").counter().count()).isEqualTo(1);
    }

    @Test
    void aCallThatWouldWaitBeyondTheBudgetIsRefusedAtOnce() {
        // 1 slot and calls that take ~1 s: the third in line would wait ~2 s, past a 1.5 s budget
        ConcurrencyGate gate = new ConcurrencyGate("test",
                new GateSettings(1, 1, 1, Duration.ofMillis(1500), 100), meters);
        Sinks.One<String> slow = pending();
        gate.admit(slow.asMono().delaySubscription(Duration.ofSeconds(1))).subscribe();
        slow.tryEmitValue("learned");
        await(() -> gate.inFlight() == 0);

        gate.admit(pending().asMono()).subscribe();
        gate.admit(pending().asMono()).subscribe();
        List<Throwable> refused = new ArrayList<>();
        gate.admit(Mono.just("never")).subscribe(value -> { }, refused::add);
        assertThat(refused).singleElement().isInstanceOf(Overloaded.class);
        assertThat(meters.get("wxgate.gate.refused").tag("reason", "wait_budget").counter().count()).isEqualTo(1);
    }

    @Test
    void aWaiterThatOutlivesItsBudgetIsRefusedAndLeavesTheLine() {
        ConcurrencyGate gate = gate(1, Duration.ofMillis(100), 10);
        Sinks.One<String> busy = pending();
        gate.admit(busy.asMono()).subscribe();

        StepVerifier.create(gate.admit(Mono.just("late")))
                .expectError(Overloaded.class)
                .verify(Duration.ofSeconds(2));
        assertThat(gate.queued()).isZero();
        busy.tryEmitValue("done");
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void failedAndCancelledCallsGiveTheirSlotBack() {
        ConcurrencyGate gate = gate(1, Duration.ofSeconds(5), 10);
        StepVerifier.create(gate.admit(Mono.error(new IllegalStateException("WeChat said no"))))
                .expectError(IllegalStateException.class).verify();
        assertThat(gate.inFlight()).isZero();

        Disposable inFlight = gate.admit(pending().asMono()).subscribe();
        Disposable waiting = gate.admit(pending().asMono()).subscribe();
        assertThat(gate.queued()).isEqualTo(1);
        waiting.dispose();
        assertThat(gate.queued()).isZero();
        inFlight.dispose();
        assertThat(gate.inFlight()).isZero();

        StepVerifier.create(gate.admit(Mono.just("free again"))).expectNext("free again").verifyComplete();
    }

    @Test
    void workAdmittedOnceMayCallTheSameGateAgainWithoutASecondPermit() {
        ConcurrencyGate gate = gate(1, Duration.ofMillis(200), 10);
        Mono<String> inner = gate.admit(Mono.fromSupplier(() -> "inner ran with " + gate.inFlight() + " in flight"));
        StepVerifier.create(gate.admit(inner))
                .expectNext("inner ran with 1 in flight")
                .verifyComplete();
    }

    @Test
    void laterLanesWaitBehindEarlierOnes() {
        ConcurrencyGate gate = gate(1, Duration.ofSeconds(5), 10);
        Sinks.One<String> busy = pending();
        List<String> order = new ArrayList<>();
        gate.admit(busy.asMono()).subscribe(order::add);
        gate.admit(ConcurrencyGate.Lane.NEW, Mono.fromSupplier(() -> "login")).subscribe(order::add);
        gate.admit(ConcurrencyGate.Lane.CONTINUING, Mono.fromSupplier(() -> "pay")).subscribe(order::add);
        gate.admit(ConcurrencyGate.Lane.RESUMING, Mono.fromSupplier(() -> "back from WeChat")).subscribe(order::add);
        assertThat(gate.queued(ConcurrencyGate.Lane.NEW)).isEqualTo(1);
        assertThat(gate.queued()).isEqualTo(3);

        busy.tryEmitValue("first");

        assertThat(order).containsExactly("first", "back from WeChat", "pay", "login");
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aNewJourneyIsRefusedWhereAStartedOneStillWaits() {
        // 1 slot, calls that take ~1 s, a 2.5 s budget (half of it for a new journey)
        ConcurrencyGate gate = new ConcurrencyGate("test",
                new GateSettings(1, 1, 1, Duration.ofMillis(2500), 100), meters);
        Sinks.One<String> slow = pending();
        gate.admit(slow.asMono().delaySubscription(Duration.ofSeconds(1))).subscribe();
        slow.tryEmitValue("learned");
        await(() -> gate.inFlight() == 0);

        gate.admit(pending().asMono()).subscribe();
        List<Throwable> refused = new ArrayList<>();
        gate.admit(ConcurrencyGate.Lane.NEW, pending().asMono()).subscribe(value -> { }, refused::add);
        assertThat(refused).as("first in line: ~1 s").isEmpty();

        gate.admit(ConcurrencyGate.Lane.CONTINUING, pending().asMono()).subscribe(value -> { }, refused::add);
        assertThat(refused).as("ahead of the waiting login: ~1 s").isEmpty();

        gate.admit(ConcurrencyGate.Lane.NEW, Mono.just("never")).subscribe(value -> { }, refused::add);
        assertThat(refused).as("third in line: ~3 s").singleElement().isInstanceOf(Overloaded.class);
        assertThat(gate.queued(ConcurrencyGate.Lane.CONTINUING)).isEqualTo(1);
        assertThat(gate.queued(ConcurrencyGate.Lane.NEW)).isEqualTo(1);
    }

    @Test
    void aLaneWhosePlacesTookLongRefusesSooner() throws InterruptedException {
        // a 2.6 s budget: 1.3 s for a new journey
        ConcurrencyGate gate = gate(2, Duration.ofMillis(2600), 100);
        Sinks.One<String> a = pending();
        gate.admit(a.asMono()).subscribe();
        gate.admit(pending().asMono()).subscribe();
        gate.admit(ConcurrencyGate.Lane.NEW, Mono.just("login")).subscribe();
        Thread.sleep(500);
        a.tryEmitValue("done");
        assertThat(gate.queued()).as("the login waited ~500 ms for first place, then ran").isZero();
        gate.admit(pending().asMono()).subscribe();
        assertThat(gate.inFlight()).isEqualTo(2);

        List<Throwable> refused = new ArrayList<>();
        gate.admit(ConcurrencyGate.Lane.NEW, pending().asMono()).subscribe(value -> { }, refused::add);
        gate.admit(ConcurrencyGate.Lane.NEW, pending().asMono()).subscribe(value -> { }, refused::add);
        assertThat(refused).as("places 1 and 2: ~0.5 and ~1 s").isEmpty();
        gate.admit(ConcurrencyGate.Lane.NEW, Mono.just("never")).subscribe(value -> { }, refused::add);
        // two slots of ~500 ms calls would put place 3 at ~1 s, within 1.3 s; places in this lane took ~500 ms each
        assertThat(refused).as("place 3: ~1.5 s").singleElement().isInstanceOf(Overloaded.class);
    }

    @Test
    void aWaiterThatRanOutOfTimeTeachesItsLaneToRefuseSooner() {
        ConcurrencyGate gate = gate(1, Duration.ofMillis(300), 100);
        gate.admit(pending().asMono()).subscribe();
        StepVerifier.create(gate.admit(ConcurrencyGate.Lane.NEW, Mono.just("late")))
                .expectError(Overloaded.class)
                .verify(Duration.ofSeconds(2));

        // a first place took the whole budget and was not served: the next in that place is refused at once, where
        // before any wait was learned (100 ms a place) it would have waited in line
        List<Throwable> refused = new ArrayList<>();
        gate.admit(ConcurrencyGate.Lane.NEW, Mono.just("never")).subscribe(value -> { }, refused::add);
        assertThat(refused).singleElement().isInstanceOf(Overloaded.class);
        assertThat(gate.queued()).isZero();

        assertThat(meters.get("wxgate.gate.refused").tag("reason", "wait_budget").counter().count()).isEqualTo(1);

        // but not for good: each refusal fades what the lane learned, until one is let in line to measure again
        int tries = 1;
        while (gate.queued() == 0 && tries < 200) {
            gate.admit(ConcurrencyGate.Lane.NEW, pending().asMono()).subscribe(value -> { }, refused::add);
            tries++;
        }
        assertThat(gate.queued()).isEqualTo(1);
        assertThat(tries).as("refused a while first").isBetween(20, 150);
        assertThat(meters.get("wxgate.gate.refused").tag("reason", "wait_budget").counter().count()).isEqualTo(tries - 1);
    }

    @Test
    void aRequestAwayAtWeChatGivesTheBoxItsSlotAndTakesItBackAheadOfTheRest() {
        ConcurrencyGate box = box(1, Duration.ofSeconds(5), 0);
        ConcurrencyGate wechat = gate(10, Duration.ofSeconds(5), 10);
        Sinks.One<String> wechatAnswer = pending();
        Sinks.One<String> otherWork = pending();
        List<String> order = new ArrayList<>();

        box.admit(wechat.admit(wechatAnswer.asMono())
                        .map(answer -> "login finished after " + answer + " with " + box.inFlight() + " in the box"))
                .subscribe(order::add);
        assertThat(wechat.inFlight()).isEqualTo(1);
        assertThat(box.inFlight()).as("away at WeChat").isZero();

        box.admit(otherWork.asMono()).subscribe(order::add);
        assertThat(box.inFlight()).as("the freed slot serves another request").isEqualTo(1);

        wechatAnswer.tryEmitValue("WeChat's answer");
        assertThat(order).as("back from WeChat, it waits for a slot: never refused, though the queue is 0 long").isEmpty();
        assertThat(box.queued(ConcurrencyGate.Lane.RESUMING)).isEqualTo(1);

        otherWork.tryEmitValue("other work");
        assertThat(order).containsExactly("other work", "login finished after WeChat's answer with 1 in the box");
        assertThat(box.inFlight()).isZero();
        assertThat(box.queued()).isZero();
        assertThat(wechat.inFlight()).isZero();
    }

    @Test
    void localWorkReservedAtAWeChatGateHoldsTheBoxSlotButItsWaitAndItsCallsDoNot() {
        ConcurrencyGate box = box(4, Duration.ofSeconds(5), 10);
        ConcurrencyGate pay = gate(1, Duration.ofSeconds(5), 10);
        Sinks.One<String> otherOrder = pending();
        pay.reserve(otherOrder.asMono()).subscribe();
        Sinks.One<String> wechat = pending();
        List<String> seen = new ArrayList<>();

        box.admit(pay.reserve(Mono.fromSupplier(() -> "insert with " + box.inFlight() + " in the box")
                        .doOnNext(seen::add)
                        .then(pay.admit(wechat.asMono().doOnSubscribe(s -> seen.add("call with " + box.inFlight() + " in the box"))))))
                .subscribe(seen::add);
        assertThat(pay.queued()).isEqualTo(1);
        assertThat(box.inFlight()).as("waiting at the pay gate: away").isZero();

        otherOrder.tryEmitValue("done");
        wechat.tryEmitValue("prepay_id");
        assertThat(seen).containsExactly("insert with 1 in the box", "call with 0 in the box", "prepay_id");
        assertThat(box.inFlight()).isZero();
        assertThat(pay.inFlight()).isZero();
    }

    @Test
    void aPermitBroughtBackFromAWeChatGateIsFreedWhenTheRequestGivesUpOnTheWayBack() {
        ConcurrencyGate box = box(1, Duration.ofSeconds(5), 10);
        ConcurrencyGate pay = gate(1, Duration.ofSeconds(5), 10);
        Sinks.One<String> otherOrder = pending();
        pay.reserve(otherOrder.asMono()).subscribe();
        Disposable request = box.admit(pay.reserve(Mono.just("insert"))).subscribe();
        Sinks.One<String> busy = pending();
        box.admit(busy.asMono()).subscribe();

        otherOrder.tryEmitValue("done");
        assertThat(box.queued(ConcurrencyGate.Lane.RESUMING)).as("has its pay permit, waits for the box").isEqualTo(1);
        assertThat(pay.inFlight()).isEqualTo(1);
        request.dispose();
        assertThat(pay.inFlight()).as("the pay permit it brought is given back").isZero();
        busy.tryEmitValue("done");
        assertThat(box.inFlight()).isZero();
    }

    @Test
    void aLongLineOfRequestsThatStepAwayIsServedWithoutDeepeningTheStack() {
        // a budget no place in this line exceeds (the gate assumes 100 ms a request until it has measured)
        ConcurrencyGate box = box(1, Duration.ofHours(2), 100_000);
        ConcurrencyGate wechat = gate(100_000, Duration.ofSeconds(30), 10);
        Sinks.One<String> busy = pending();
        box.admit(busy.asMono()).subscribe();
        List<String> done = new ArrayList<>();
        int line = 20_000;
        for (int i = 0; i < line; i++) {
            // each one, once admitted, steps away to a WeChat that answers at once, freeing the slot for the next
            box.admit(ConcurrencyGate.Lane.NEW, wechat.admit(Mono.just("answered"))).subscribe(done::add);
        }
        assertThat(box.queued()).isEqualTo(line);

        busy.tryEmitValue("done");

        assertThat(done).hasSize(line);
        assertThat(box.inFlight()).isZero();
        assertThat(box.queued()).isZero();
    }

    @Test
    void aRequestCancelledWhileAwayOrWhileComingBackLeavesNoSlotTaken() {
        ConcurrencyGate box = box(1, Duration.ofSeconds(5), 10);
        ConcurrencyGate wechat = gate(10, Duration.ofSeconds(5), 10);
        Disposable away = box.admit(wechat.admit(pending().asMono())).subscribe();
        away.dispose();
        assertThat(box.inFlight()).isZero();
        assertThat(wechat.inFlight()).isZero();

        Sinks.One<String> answer = pending();
        Sinks.One<String> busy = pending();
        Disposable comingBack = box.admit(wechat.admit(answer.asMono())).subscribe();
        box.admit(busy.asMono()).subscribe();
        answer.tryEmitValue("answer");
        assertThat(box.queued(ConcurrencyGate.Lane.RESUMING)).isEqualTo(1);
        comingBack.dispose();
        assertThat(box.queued()).isZero();
        busy.tryEmitValue("done");
        assertThat(box.inFlight()).isZero();
        StepVerifier.create(box.admit(Mono.just("free"))).expectNext("free").verifyComplete();
    }

    @Test
    void theLimitFollowsLatencyTimesTargetRate() {
        // 100 calls a second wanted, each taking ~200 ms: about 20 in flight are needed
        ConcurrencyGate gate = new ConcurrencyGate("test",
                new GateSettings(1, 1000, 100, Duration.ofSeconds(5), 100), meters);
        assertThat(gate.limit()).isEqualTo(1);
        for (int i = 0; i < 40; i++) {
            gate.admit(Mono.delay(Duration.ofMillis(200)).thenReturn("ok")).block(Duration.ofSeconds(2));
        }
        assertThat(gate.limit()).isBetween(15, 30);
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
