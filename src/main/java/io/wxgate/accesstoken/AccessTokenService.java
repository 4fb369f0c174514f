package io.wxgate.accesstoken;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxgate.login.MiniappProperties;
import io.wxgate.login.WechatFailed;
import io.wxgate.wechat.RandomText;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The mini-program's access_token, one per appid in Redis ({@code wxgate:access-token:<appid>}: token and expiry),
 * shared by every gateway instance. A refresh is single flight twice over: within an instance callers share one
 * in-flight refresh; across instances a Redis lock lets one instance ask WeChat while the others wait for the token
 * it stores. A call WeChat refuses with 40001/42001/40014 drops the cached token only if it is still the one that
 * failed (another instance may have replaced it already), gets a fresh one and is retried once.
 * The token itself never reaches a log line.
 */
@Service
public class AccessTokenService {

    private static final Logger log = LoggerFactory.getLogger(AccessTokenService.class);

    static final String TOKEN_PREFIX = "wxgate:access-token:";
    static final String LOCK_PREFIX = "wxgate:access-token-lock:";
    static final String FORCE_SPACING_PREFIX = "wxgate:access-token-force-spacing:";
    static final String FORCE_COUNT_PREFIX = "wxgate:access-token-forces:";

    private static final RedisScript<Long> DELETE_IF_EQUAL = RedisScript.of("""
            if redis.call('HGET', KEYS[1], ARGV[2]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """, Long.class);
    private static final RedisScript<Long> UNLOCK = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """, Long.class);
    private static final RedisScript<Long> COUNT_FORCE = RedisScript.of("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('EXPIRE', KEYS[1], 90000) end
            return n
            """, Long.class);

    /** A token and the epoch millisecond it expires at. */
    record Cached(String token, long expiresAt) {
        @Override
        public String toString() {
            return "Cached[expiresAt=" + expiresAt + "]";
        }
    }

    private final WeChatApiClient wechat;
    private final ReactiveStringRedisTemplate redis;
    private final AccessTokenProperties properties;
    private final String appid;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();
    private final String instance = new RandomText().alnum(16);
    private final AtomicReference<Mono<String>> inflight = new AtomicReference<>();

    public AccessTokenService(WeChatApiClient wechat, ReactiveStringRedisTemplate redis, AccessTokenProperties properties,
                              MiniappProperties miniapp, MeterRegistry meters) {
        this.wechat = wechat;
        this.redis = redis;
        this.properties = properties;
        this.appid = miniapp.appid();
        this.meters = meters;
    }

    private static <T> Mono<T> onRedis(Mono<T> command) {
        return command.subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Runs a WeChat call with the current token; when WeChat refuses that token, once more with a fresh one.
     * A second refusal is {@link AccessTokenErrors.Unavailable}.
     */
    public <T> Mono<T> call(Function<String, Mono<T>> request) {
        return current().flatMap(token -> request.apply(token)
                .onErrorResume(AccessTokenErrors.Rejected.class, rejected -> {
                    meters.counter("wxgate.access_token.rejected", "errcode", Integer.toString(rejected.errcode())).increment();
                    return replace(token).flatMap(request)
                            .onErrorMap(AccessTokenErrors.Rejected.class, again -> new AccessTokenErrors.Unavailable(
                                    "wechat_token_refused", "WeChat refused a freshly issued access_token (errcode "
                                    + again.errcode() + "); retry later"));
                }));
    }

    /** The token to use now: the cached one, renewed in the background when it nears its end. */
    public Mono<String> current() {
        return cached().flatMap(cached -> {
                    long now = clock.millis();
                    if (now >= cached.expiresAt()) {
                        return Mono.<String>empty();
                    }
                    if (now >= cached.expiresAt() - properties.refreshAhead().toMillis()) {
                        // still good for a while: renew on the side, one instance at a time, and use this one meanwhile
                        shared(null).subscribe(token -> { }, e -> log.warn("access_token refresh ahead of expiry failed ({})",
                                e.getClass().getSimpleName()));
                    }
                    return Mono.just(cached.token());
                })
                .switchIfEmpty(Mono.defer(() -> shared(null)));
    }

    /** After WeChat refused {@code failed}: drops it if it is still the cached token, then gets a fresh one. */
    public Mono<String> replace(String failed) {
        return onRedis(redis.execute(DELETE_IF_EQUAL, List.of(key()), List.of(failed, "token")).next())
                .doOnNext(deleted -> {
                    if (deleted == 1L) {
                        meters.counter("wxgate.access_token.invalidated").increment();
                    }
                })
                .then(Mono.defer(() -> shared(failed)));
    }

    // callers in this instance share one refresh
    private Mono<String> shared(String failed) {
        while (true) {
            Mono<String> running = inflight.get();
            if (running != null) {
                return running;
            }
            AtomicReference<Mono<String>> self = new AtomicReference<>();
            Mono<String> refresh = Mono.defer(() -> refresh(failed))
                    .doFinally(signal -> inflight.compareAndSet(self.get(), null))
                    .cache();
            self.set(refresh);
            if (inflight.compareAndSet(null, refresh)) {
                return refresh;
            }
        }
    }

    // one instance at a time asks WeChat; the others wait for what it stores
    private Mono<String> refresh(String failed) {
        String lockValue = instance + ":" + clock.millis();
        return onRedis(redis.opsForValue().setIfAbsent(LOCK_PREFIX + appid, lockValue, properties.lockTtl()))
                .flatMap(locked -> locked
                        ? refreshHoldingLock(failed).flatMap(token -> unlock(lockValue).thenReturn(token))
                                .onErrorResume(e -> unlock(lockValue).then(Mono.error(e)))
                        : awaitOther(failed));
    }

    private Mono<String> refreshHoldingLock(String failed) {
        return cached()
                .filter(c -> !c.token().equals(failed) && clock.millis() < c.expiresAt() - properties.refreshAhead().toMillis())
                .map(Cached::token)
                .switchIfEmpty(Mono.defer(() -> fetch(failed)));
    }

    private Mono<String> fetch(String failed) {
        Mono<WeChatApiClient.Grant> grant = properties.source() == AccessTokenProperties.Source.CLASSIC
                ? wechat.classicToken()
                : wechat.stableToken(false).flatMap(g -> g.accessToken().equals(failed) ? forceRefresh() : Mono.just(g));
        return grant
                .flatMap(g -> store(g).thenReturn(g.accessToken()))
                .doOnNext(token -> {
                    meters.counter("wxgate.access_token.refreshes", "outcome", "issued").increment();
                    log.info("access_token refreshed for appid {}", appid);
                })
                .doOnError(e -> meters.counter("wxgate.access_token.refreshes", "outcome", "failed").increment());
    }

    // stable_token handed back the very token WeChat just refused: only a forced refresh replaces it, within limits
    private Mono<WeChatApiClient.Grant> forceRefresh() {
        String day = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
        return onRedis(redis.opsForValue().setIfAbsent(FORCE_SPACING_PREFIX + appid, "1", properties.forceRefreshSpacing()))
                .flatMap(spaced -> {
                    if (!spaced) {
                        return Mono.error(new AccessTokenErrors.Unavailable("wechat_force_refresh_limited",
                                "the access_token was refused and was force-refreshed less than "
                                        + properties.forceRefreshSpacing().toSeconds() + " s ago; retry later"));
                    }
                    return onRedis(redis.execute(COUNT_FORCE, List.of(FORCE_COUNT_PREFIX + appid + ":" + day), List.of()).next())
                            .flatMap(count -> count > properties.forceRefreshPerDay()
                                    ? Mono.error(new AccessTokenErrors.Unavailable("wechat_force_refresh_limited",
                                            "the access_token was force-refreshed " + properties.forceRefreshPerDay()
                                                    + " times today, WeChat's daily limit"))
                                    : wechat.stableToken(true));
                })
                .doOnNext(g -> meters.counter("wxgate.access_token.refreshes", "outcome", "forced").increment());
    }

    private Mono<String> awaitOther(String failed) {
        long deadline = clock.millis() + properties.waitForOther().toMillis();
        return Mono.defer(() -> cached()
                        .filter(c -> !c.token().equals(failed) && clock.millis() < c.expiresAt())
                        .map(Cached::token))
                .repeatWhenEmpty(attempts -> attempts.concatMap(n -> clock.millis() < deadline
                        ? Mono.delay(properties.pollInterval())
                        : Mono.error(new AccessTokenErrors.Unavailable("wechat_token_unavailable",
                                "no access_token yet: another instance is refreshing it; retry later"))));
    }

    private Mono<Cached> cached() {
        return onRedis(redis.<String, String>opsForHash().entries(key()).collectMap(Map.Entry::getKey, Map.Entry::getValue))
                .flatMap(fields -> {
                    String token = fields.get("token");
                    String expiresAt = fields.get("expires_at");
                    if (token == null || expiresAt == null) {
                        return Mono.empty();
                    }
                    try {
                        return Mono.just(new Cached(token, Long.parseLong(expiresAt)));
                    } catch (NumberFormatException e) {
                        return Mono.empty();
                    }
                });
    }

    private Mono<Boolean> store(WeChatApiClient.Grant grant) {
        if (grant.expiresIn() <= 0) {
            return Mono.error(new WechatFailed("WeChat issued an access_token that is already expired"));
        }
        long expiresAt = clock.millis() + Duration.ofSeconds(grant.expiresIn()).toMillis();
        return onRedis(redis.<String, String>opsForHash().putAll(key(), Map.of("token", grant.accessToken(),
                        "expires_at", Long.toString(expiresAt))))
                .then(onRedis(redis.expire(key(), Duration.ofSeconds(grant.expiresIn()))));
    }

    private Mono<Long> unlock(String lockValue) {
        return onRedis(redis.execute(UNLOCK, List.of(LOCK_PREFIX + appid), List.of(lockValue)).next());
    }

    private String key() {
        return TOKEN_PREFIX + appid;
    }
}
