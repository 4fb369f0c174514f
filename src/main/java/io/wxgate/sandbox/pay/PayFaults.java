package io.wxgate.sandbox.pay;

/**
 * Faults the sandbox's WeChat Pay injects, for resilience and load tests; all off by default.
 * Set with {@code PUT /sandbox/faults} (fields left out keep their defaults), reset with {@code DELETE /sandbox/faults}.
 *
 * @param latencyMs added to every {@code /pay/*} reply, as a non-blocking delay
 * @param systemErrorRate fraction (0..1) of unifiedorder and orderquery calls answered
 *        {@code result_code FAIL, err_code SYSTEMERROR} without touching any order
 * @param notifyCopies each notify attempt is POSTed this many times concurrently (duplicate notifies);
 *        the attempt counts as acknowledged when any copy is
 * @param reorderNotifies each notify POST waits a random 0..{@code reorderWindowMs} first, so notifies of orders
 *        paid close together (and copies of one notify) arrive in a shuffled order
 * @param reorderWindowMs the largest of those random waits
 * @param badSignNotifies notifies carry a wrong {@code sign}; a correct merchant rejects them, so they are retried
 * @param dropNotifies orders paid while this is on never get a notify (the merchant must query to learn of them)
 * @param failRequestPayment the phone's requestPayment fails without paying
 */
public record PayFaults(
        long latencyMs,
        double systemErrorRate,
        int notifyCopies,
        boolean reorderNotifies,
        long reorderWindowMs,
        boolean badSignNotifies,
        boolean dropNotifies,
        boolean failRequestPayment) {

    public static final PayFaults NONE = new PayFaults(0, 0.0, 1, false, 200, false, false, false);

    public PayFaults {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must not be negative");
        }
        if (systemErrorRate < 0.0 || systemErrorRate > 1.0) {
            throw new IllegalArgumentException("systemErrorRate must be between 0 and 1");
        }
        if (notifyCopies < 1 || notifyCopies > 100) {
            throw new IllegalArgumentException("notifyCopies must be between 1 and 100");
        }
        if (reorderWindowMs < 0) {
            throw new IllegalArgumentException("reorderWindowMs must not be negative");
        }
    }
}
