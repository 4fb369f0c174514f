package io.wxgate.sandbox.pay;

import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/** The faults currently in force; each reader takes one consistent snapshot. */
@Component
public class FaultSwitches {

    private final AtomicReference<PayFaults> current = new AtomicReference<>(PayFaults.NONE);

    public PayFaults current() {
        return current.get();
    }

    public void set(PayFaults faults) {
        current.set(faults);
    }

    public void reset() {
        current.set(PayFaults.NONE);
    }
}
