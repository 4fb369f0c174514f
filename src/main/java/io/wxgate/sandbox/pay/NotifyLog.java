package io.wxgate.sandbox.pay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every notify attempt for one order, and whether the merchant has acknowledged one of them. */
final class NotifyLog {

    private final List<NotifyAttempt> attempts = new CopyOnWriteArrayList<>();
    private volatile boolean acknowledged;

    void record(NotifyAttempt attempt) {
        attempts.add(attempt);
        if (attempt.acknowledged()) {
            acknowledged = true;
        }
    }

    List<NotifyAttempt> attempts() {
        return List.copyOf(attempts);
    }

    boolean acknowledged() {
        return acknowledged;
    }
}
