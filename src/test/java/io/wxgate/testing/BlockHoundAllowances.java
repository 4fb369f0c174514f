package io.wxgate.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The few places where BlockHound sees a "blocking" call that is only a brief, bounded lock inside a library,
 * never I/O: Spring's Netty buffer factory takes a monitor on first allocation per allocator, and Logback's
 * async appender hands a line to its queue under a lock, and resilience4j's circuit breaker records an outcome in
 * its sliding window under a lock (contended only when many calls finish at once). Everything else stays forbidden.
 */
public class BlockHoundAllowances implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("org.springframework.core.io.buffer.NettyDataBufferFactory", "allocateBuffer");
        builder.allowBlockingCallsInside("ch.qos.logback.core.AsyncAppenderBase", "put");
        builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.FixedSizeSlidingWindowMetrics", "record");
    }
}
