package io.wxgate.login;

import io.wxgate.wechat.RandomText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Opaque tokens in Redis. {@code wxgate:session:<token>} holds openid, unionid and session_key;
 * {@code wxgate:openid-session:<openid>} names the user's current token, so a new login drops the previous token
 * together with its (now invalid) session_key.
 *
 * <p>Cluster-safe: every command and script touches one key, declared in KEYS. The two keys live in different hash
 * slots on purpose (one is found by token, the other by openid, and a token cannot carry the openid's hash tag), so
 * a login is three single-slot steps instead of one script: write the new session, swap the pointer (SET ... GET),
 * delete the old session. A token counts only while the pointer names it, so an old token is dead from the swap on,
 * even if the last step never happens (Redis failing over mid-login); its hash then just expires.
 */
@Component
public class SessionStore {

    static final String SESSION_PREFIX = "wxgate:session:";
    static final String OPENID_PREFIX = "wxgate:openid-session:";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** KEYS[1] the session hash; ARGV openid, unionid, session_key, ttl seconds. Fields and expiry in one step. */
    private static final RedisScript<Long> WRITE_SESSION = RedisScript.of("""
            redis.call('HSET', KEYS[1], 'openid', ARGV[1], 'unionid', ARGV[2], 'session_key', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            return 1
            """, Long.class);

    static final String FAILURES_PREFIX = "wxgate:open-data-failures:";


    private final ReactiveStringRedisTemplate redis;
    private final SessionProperties properties;
    private final RandomText random = new RandomText();

    public SessionStore(ReactiveStringRedisTemplate redis, SessionProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    // Lettuce connects (blocking) when a command is subscribed while it has no connection yet, e.g. Redis was
    // down at startup: subscribing on boundedElastic keeps that wait off the event loop; replies still arrive
    // on Lettuce's own threads. RedisConnectionWarmUp makes the connection exist before the first request, but
    // Spring Data Redis may re-create its shared connection later on whatever thread asks, so the hop stays
    // (dropping it was tried: BlockHound caught such a re-connect on an event loop).
    private static <T> Mono<T> onRedis(Mono<T> command) {
        return command.subscribeOn(Schedulers.boundedElastic());
    }

    /** Issues a new 256-bit token for this user and forgets the user's previous one. */
    public Mono<Session> open(String openid, String unionid, String sessionKey) {
        String token = random.base64UrlBytes(32);
        Duration ttl = properties.ttl();
        List<String> fields = List.of(openid, unionid == null ? "" : unionid, sessionKey, Long.toString(ttl.toSeconds()));
        Mono<Void> login = redis.execute(WRITE_SESSION, List.of(SESSION_PREFIX + token), fields).then()
                .then(redis.opsForValue().setGet(OPENID_PREFIX + openid, token, ttl))
                .filter(previous -> !previous.equals(token))
                .flatMap(previous -> redis.delete(SESSION_PREFIX + previous))
                .then();
        return onRedis(login).then(Mono.just(new Session(token, openid, unionid, sessionKey)));
    }

    /**
     * Counts one piece of open data this session could not open; the {@code limit}-th ends the session.
     * Emits whether the session is gone.
     */
    public Mono<Boolean> recordFailure(Session session, int limit) {
        // one key per command, so it runs on a Redis Cluster: the counter, then the session. A token whose session
        // is gone is dead whatever its openid's pointer says (require reads the session itself).
        String counter = FAILURES_PREFIX + session.token();
        return onRedis(redis.opsForValue().increment(counter)).flatMap(n -> {
            Mono<Boolean> expire = n == 1 ? onRedis(redis.expire(counter, properties.ttl())) : Mono.just(true);
            if (n < limit) {
                return expire.thenReturn(false);
            }
            return expire.then(onRedis(redis.delete(SESSION_PREFIX + session.token())))
                    .then(onRedis(redis.delete(counter)))
                    .thenReturn(true);
        });
    }

    /** Ends a session at once. */
    public Mono<Void> revoke(Session session) {
        return recordFailure(session, 1).then();
    }

    /** The live session for a token, or {@link SessionExpired}: also when a later login replaced it. */
    public Mono<Session> require(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Mono.error(new SessionExpired());
        }
        Mono<Session> session = redis.<String, String>opsForHash().entries(SESSION_PREFIX + token)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(fields -> {
                    String openid = fields.get("openid");
                    String sessionKey = fields.get("session_key");
                    if (openid == null || sessionKey == null) {
                        return Mono.empty();
                    }
                    String unionid = fields.getOrDefault("unionid", "");
                    return redis.opsForValue().get(OPENID_PREFIX + openid)
                            .filter(token::equals)
                            .map(current -> new Session(token, openid, unionid.isEmpty() ? null : unionid, sessionKey));
                });
        return onRedis(session).switchIfEmpty(Mono.error(new SessionExpired()));
    }
}
