package io.wxgate.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The few places where BlockHound sees a "blocking" call that is only a brief, bounded lock inside a library,
 * never I/O: Spring's Netty buffer factory takes a monitor on first allocation per allocator, Logback's async
 * appender hands a line to its queue under a lock, resilience4j's circuit breaker records an outcome in its sliding
 * window under a lock (contended only when many calls finish at once), and Lettuce guards its command queue with a
 * lock held for a few instructions while a command is written (its documented way to share one connection between
 * threads; an error thrown from inside that lock would wedge the connection for good). And the JDK's RSA (WeChat
 * Pay APIv3 signatures) now and then refreshes its blinding values from the system's NativePRNG, a buffered read of
 * /dev/urandom, which does not block once the kernel's pool is initialised. Everything else stays forbidden.
 */
public class BlockHoundAllowances implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("org.springframework.core.io.buffer.NettyDataBufferFactory", "allocateBuffer");
        builder.allowBlockingCallsInside("ch.qos.logback.core.AsyncAppenderBase", "put");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.CommandExpiryWriter", "potentiallyExpire");
        builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.FixedSizeSlidingWindowMetrics", "record");
        builder.allowBlockingCallsInside("sun.security.rsa.RSACore", "getBlindingRandomPair");
    }
}
