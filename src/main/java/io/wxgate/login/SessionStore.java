package io.wxgate.login;

import io.wxgate.wechat.RandomText;
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
 * {@code wxgate:openid-session:<openid>} points at the user's current token, so a new login
 * drops the previous token together with its (now invalid) session_key.
 */
@Component
public class SessionStore {

    static final String SESSION_PREFIX = "wxgate:session:";
    static final String OPENID_PREFIX = "wxgate:openid-session:";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private static final RedisScript<Long> REPLACE = RedisScript.of("""
            local old = redis.call('GET', KEYS[2])
            if old then redis.call('DEL', ARGV[5] .. old) end
            redis.call('HSET', KEYS[1], 'openid', ARGV[1], 'unionid', ARGV[2], 'session_key', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[4])
            return 1
            """, Long.class);

    static final String FAILURES_PREFIX = "wxgate:open-data-failures:";

    // counts a failure under the token; at the limit the session, its openid pointer (if still this token's)
    // and the counter go, in one step, so parallel failures cannot outrun the limit
    private static final RedisScript<Long> FAIL = RedisScript.of("""
            if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            if n >= tonumber(ARGV[2]) then
              redis.call('DEL', KEYS[1], KEYS[2])
              if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
              return 1
            end
            return 0
            """, Long.class);

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
        List<String> keys = List.of(SESSION_PREFIX + token, OPENID_PREFIX + openid);
        List<String> args = List.of(openid, unionid == null ? "" : unionid, sessionKey,
                Long.toString(properties.ttl().toSeconds()), SESSION_PREFIX, token);
        return onRedis(redis.execute(REPLACE, keys, args).then())
                .then(Mono.just(new Session(token, openid, unionid, sessionKey)));
    }

    /**
     * Counts one piece of open data this session could not open; the {@code limit}-th ends the session.
     * Emits whether the session is gone.
     */
    public Mono<Boolean> recordFailure(Session session, int limit) {
        List<String> keys = List.of(FAILURES_PREFIX + session.token(), SESSION_PREFIX + session.token(),
                OPENID_PREFIX + session.openid());
        List<String> args = List.of(Long.toString(properties.ttl().toSeconds()), Integer.toString(limit), session.token());
        return onRedis(redis.execute(FAIL, keys, args).next()).map(revoked -> revoked == 1L);
    }

    /** Ends a session at once (its token and the user's pointer to it). */
    public Mono<Void> revoke(Session session) {
        return recordFailure(session, 1).then();
    }

    /** The live session for a token, or {@link SessionExpired}. */
    public Mono<Session> require(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Mono.error(new SessionExpired());
        }
        return onRedis(redis.<String, String>opsForHash().entries(SESSION_PREFIX + token)
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                .flatMap(fields -> {
                    String openid = fields.get("openid");
                    String sessionKey = fields.get("session_key");
                    if (openid == null || sessionKey == null) {
                        return Mono.error(new SessionExpired());
                    }
                    String unionid = fields.getOrDefault("unionid", "");
                    return Mono.just(new Session(token, openid, unionid.isEmpty() ? null : unionid, sessionKey));
                });
    }
}
