package io.wxgate.pay;

import io.wxgate.wechat.PayV3Keyring;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * WeChat Pay's platform certificates for a merchant in certificate mode: downloaded at start and every
 * {@code certificate-refresh} in the background (never on a request's path), kept by serial. A failed refresh keeps
 * the certificates it has and tries again within a minute; a refresh replaces them all, as WeChat lists every
 * certificate still in use.
 */
public final class PlatformCertificates implements PayV3Keyring, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PlatformCertificates.class);
    private static final Duration RETRY = Duration.ofMinutes(1);
    /** At most one refresh asked for by an unknown serial in this long: a forged serial cannot make us hammer WeChat. */
    private static final Duration UNKNOWN_SERIAL_REFRESH = Duration.ofMinutes(1);

    private final Duration refresh;
    private final Supplier<Mono<Map<String, X509Certificate>>> download;
    private final AtomicReference<Map<String, X509Certificate>> current = new AtomicReference<>(Map.of());
    private final java.util.concurrent.atomic.AtomicLong lastUnknownRefresh =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - UNKNOWN_SERIAL_REFRESH.toNanos());
    private volatile Disposable running;

    public PlatformCertificates(Duration refresh, Supplier<Mono<Map<String, X509Certificate>>> download) {
        this.refresh = refresh;
        this.download = download;
    }

    /**
     * The key of the certificate {@code serial} names. An unknown serial (WeChat may sign with a new certificate before
     * the next scheduled refresh) starts one background refresh, at most once a minute; this message is still refused,
     * and WeChat's retry finds the new certificate.
     */
    @Override
    public Optional<PublicKey> key(String serial) {
        X509Certificate certificate = serial == null ? null : current.get().get(serial);
        if (certificate == null && serial != null && running != null) {
            long now = System.nanoTime();
            long last = lastUnknownRefresh.get();
            if (now - last > UNKNOWN_SERIAL_REFRESH.toNanos() && lastUnknownRefresh.compareAndSet(last, now)) {
                log.info("WeChat Pay signed with certificate {}, not known here; downloading the certificates again", serial);
                refresh().subscribe(ok -> { }, e -> log.warn("downloading WeChat Pay platform certificates failed: {}",
                        e.toString()));
            }
        }
        return Optional.ofNullable(certificate).map(X509Certificate::getPublicKey);
    }

    /** True once certificates are held: until then nothing WeChat Pay signs can be believed. */
    public boolean loaded() {
        return !current.get().isEmpty();
    }

    /** The serial to send as {@code Wechatpay-Serial}: the certificate that stays valid longest, or "" before any. */
    public String newestSerial() {
        return current.get().entrySet().stream()
                .max(Comparator.comparing(e -> e.getValue().getNotAfter()))
                .map(Map.Entry::getKey).orElse("");
    }

    /** Downloads now and replaces what is kept; fails (keeping the old ones) when WeChat lists nothing usable. */
    public Mono<Map<String, X509Certificate>> refresh() {
        return download.get().doOnNext(certificates -> {
            current.set(Map.copyOf(certificates));
            log.info("WeChat Pay platform certificates: {}", certificates.keySet());
        });
    }

    @Override
    public synchronized void start() {
        if (running != null) {
            return;
        }
        running = Flux.defer(() -> refresh()
                        .thenReturn(refresh)
                        .onErrorResume(e -> {
                            log.warn("downloading WeChat Pay platform certificates failed, retrying in {}: {}", RETRY,
                                    e.toString());
                            return Mono.just(RETRY);
                        })
                        .flatMap(Mono::delay)
                        .flux())
                .repeat()
                .subscribe();
    }

    @Override
    public synchronized void stop() {
        if (running != null) {
            running.dispose();
            running = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
