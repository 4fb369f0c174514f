package io.wxgate.sandbox.miniapp;

import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.sandbox.SandboxRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The mini-program half of the sandbox's memory: users with their current session_key, the login codes
 * handed to "phones" (single-use, expiring), and the access tokens handed to servers.
 */
@Component
public class MiniappWorld {

    /** A WeChat user of one app. {@code sessionKey} is null until the first jscode2session. */
    public record User(String appid, String openid, String unionid, String sessionKey, String phoneNumber,
                       SandboxProperties.Profile profile) {
        User withSessionKey(String key) {
            return new User(appid, openid, unionid, key, phoneNumber, profile);
        }
    }

    /** What a code from wx.login stands for; {@code errcode} lets a test ask for a refusal (e.g. 40226 high risk). */
    record LoginCode(String appid, String openid, Instant expiresAt, Integer errcode, Duration delay) {
    }

    /** The outcome of jscode2session: either a user with a fresh session_key or one of WeChat's errcodes. */
    public record Exchange(User user, int errcode, String errmsg, Duration delay) {
        static Exchange error(int errcode, String errmsg) {
            return new Exchange(null, errcode, errmsg, Duration.ZERO);
        }
    }

    private static final int PURGE_THRESHOLD = 10_000;

    private final SandboxProperties properties;
    private final SandboxRandom random;
    private final Clock clock;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, LoginCode> codes = new ConcurrentHashMap<>();
    private static final long PURGE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong lastPurgeNanos = new AtomicLong(System.nanoTime());
    private final Map<String, Instant> usedCodes = new ConcurrentHashMap<>();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, LoginCode> phoneCodes = new ConcurrentHashMap<>();

    public MiniappWorld(SandboxProperties properties, SandboxRandom random) {
        this.properties = properties;
        this.random = random;
        this.clock = Clock.systemUTC();
        for (SandboxProperties.User u : properties.users()) {
            users.put(key(u.appid(), u.openid()),
                    new User(u.appid(), u.openid(), blankToNull(u.unionid()), null, blankToNull(u.phoneNumber()), u.userInfo()));
        }
    }

    public boolean knowsApp(String appid) {
        return appid != null && properties.app(appid).isPresent();
    }

    public boolean secretMatches(String appid, String secret) {
        return properties.app(appid).map(a -> a.secret().equals(secret)).orElse(false);
    }

    /**
     * wx.login on a phone: a new user unless openid names one, and a fresh single-use code for them.
     * A test may ask that exchanging this code fail with {@code errcode}, or answer only after {@code delay}.
     */
    public String login(String appid, String openid, String unionid, Integer errcode, Duration delay) {
        String id = openid == null || openid.isBlank() ? random.openid() : openid;
        users.computeIfAbsent(key(appid, id), k -> new User(appid, id, blankToNull(unionid), null, null, null));
        purgeExpired();
        String code = random.alnum(32);
        codes.put(code, new LoginCode(appid, id, clock.instant().plus(properties.codeTtl()), errcode, delay));
        return code;
    }

    /** jscode2session: consumes the code and gives the user a new session_key, as WeChat does on every login. */
    public Exchange exchange(String appid, String code) {
        if (code == null || code.isBlank()) {
            return Exchange.error(41008, "missing code");
        }
        LoginCode login = codes.remove(code);
        if (login == null) {
            return usedCodes.containsKey(code) ? Exchange.error(40163, "code been used")
                    : Exchange.error(40029, "invalid code");
        }
        usedCodes.put(code, login.expiresAt());
        if (login.expiresAt().isBefore(clock.instant()) || !login.appid().equals(appid)) {
            return Exchange.error(40029, "invalid code");
        }
        if (login.errcode() != null && login.errcode() != 0) {
            return new Exchange(null, login.errcode(), "sandbox: refused as asked", login.delay());
        }
        User user = users.compute(key(appid, login.openid()), (k, u) -> u.withSessionKey(random.base64Bytes(16)));
        return new Exchange(user, 0, "ok", login.delay());
    }

    /**
     * The getPhoneNumber button on a phone: a single-use code for the user's phone number, valid as long as a
     * login code; {@code errcode} makes getuserphonenumber refuse it (45011, -1, ...).
     */
    public Optional<String> phoneCode(String appid, String openid, Integer errcode) {
        if (appid == null || openid == null || !users.containsKey(key(appid, openid))) {
            return Optional.empty();
        }
        purgeExpired();
        String code = random.alnum(64);
        phoneCodes.put(code, new LoginCode(appid, openid, clock.instant().plus(properties.codeTtl()), errcode, Duration.ZERO));
        return Optional.of(code);
    }

    /** The outcome of getuserphonenumber: a user, or 40029 for a code that is unknown, used, expired or another app's. */
    public Exchange redeemPhoneCode(String appid, String code) {
        LoginCode phone = code == null ? null : phoneCodes.remove(code);
        if (phone == null || phone.expiresAt().isBefore(clock.instant()) || !phone.appid().equals(appid)) {
            return Exchange.error(40029, "invalid code");
        }
        if (phone.errcode() != null && phone.errcode() != 0) {
            return Exchange.error(phone.errcode(), "sandbox: refused as asked");
        }
        return new Exchange(users.get(key(appid, phone.openid())), 0, "ok", Duration.ZERO);
    }

    /** resetusersessionkey: a new session_key for the user (WeChat keeps the old expiry; the sandbox has none). */
    public Optional<User> resetSessionKey(String appid, String openid) {
        return Optional.ofNullable(users.computeIfPresent(key(appid, openid),
                (k, u) -> u.sessionKey() == null ? u : u.withSessionKey(random.base64Bytes(16))));
    }

    public Optional<User> user(String appid, String openid) {
        return Optional.ofNullable(users.get(key(appid, openid)));
    }

    /** The phone number a user "bound" to WeChat: given once by the test, else a stable made-up one. */
    public String phoneNumber(User user) {
        if (user.phoneNumber() != null) {
            return user.phoneNumber();
        }
        long n = Math.floorMod(user.openid().hashCode(), 100_000_000L);
        return "138" + String.format("%08d", n);
    }

    public String issueAccessToken(Duration ttl) {
        String token = random.alnum(64);
        accessTokens.put(token, clock.instant().plus(ttl));
        return token;
    }

    // a sweep walks every map, so it runs at most once a second: sweeping on every call once the maps were large
    // (thousands of codes live for 5 minutes under load) made each wx.login cost O(codes) and the sandbox, not
    // the gateway, the bottleneck of every load test
    private void purgeExpired() {
        if (codes.size() + usedCodes.size() + accessTokens.size() + phoneCodes.size() < PURGE_THRESHOLD) {
            return;
        }
        long nowNanos = System.nanoTime();
        long last = lastPurgeNanos.get();
        if (nowNanos - last < PURGE_EVERY_NANOS || !lastPurgeNanos.compareAndSet(last, nowNanos)) {
            return;
        }
        Instant now = clock.instant();
        codes.values().removeIf(c -> c.expiresAt().isBefore(now));
        phoneCodes.values().removeIf(c -> c.expiresAt().isBefore(now));
        usedCodes.values().removeIf(t -> t.isBefore(now));
        accessTokens.values().removeIf(t -> t.isBefore(now));
    }

    private static String key(String appid, String openid) {
        return appid + "/" + openid;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
