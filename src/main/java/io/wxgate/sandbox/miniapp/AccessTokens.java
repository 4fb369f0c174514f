package io.wxgate.sandbox.miniapp;

import io.wxgate.sandbox.SandboxRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The access tokens "WeChat" hands to mini-program servers, with WeChat's rules.
 * <ul>
 * <li>{@code /cgi-bin/token}: every call issues a new token; the previous one keeps working for five more minutes,
 * older ones stop at once (40001).</li>
 * <li>{@code /cgi-bin/stable_token}: the same token while it is valid; in its last five minutes a new one is issued
 * and the old one lives out its time; {@code force_refresh} ends the current one at once, at most 20 times a day,
 * and within 30 s of the previous forced refresh it answers the current token unchanged.</li>
 * <li>{@code /cgi-bin/token} at most 2000 times a day (45009).</li>
 * <li>the two kinds are independent of each other; an expired token answers 42001, a replaced one 40001.</li>
 * </ul>
 */
@Component
public class AccessTokens {

    static final Duration TTL = Duration.ofSeconds(7200);
    static final Duration OVERLAP = Duration.ofMinutes(5);
    static final int FORCE_REFRESH_PER_DAY = 20;
    static final Duration FORCE_REFRESH_SPACING = Duration.ofSeconds(30);
    /** WeChat's daily quota of /cgi-bin/token calls per app. */
    static final int CLASSIC_PER_DAY = 2000;

    /** One token: whose, until when it lives, and from when it is void because it was replaced. */
    record Token(String appid, String value, boolean stable, Instant expiresAt, Instant voidFrom) {
        Token voidAt(Instant at) {
            return new Token(appid, value, stable, expiresAt, voidFrom == null || at.isBefore(voidFrom) ? at : voidFrom);
        }
    }

    /** A token handed out, with its remaining lifetime in seconds; or one of WeChat's errcodes. */
    public record Grant(String token, long expiresIn, int errcode, String errmsg) {
        static Grant error(int errcode, String errmsg) {
            return new Grant(null, 0, errcode, errmsg);
        }
    }

    /** What a check of a token says: 0, 40001 (invalid or replaced) or 42001 (expired), and the token's app. */
    public record Check(int errcode, String appid) {
    }

    private static final class App {
        Token classic;
        Token stable;
        Instant lastForce;
        LocalDate forceDay;
        int forcesToday;
        LocalDate classicDay;
        int classicToday;
        int issued;
    }

    private final SandboxRandom random;
    private final Clock clock;
    private final int classicPerDay;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, App> apps = new HashMap<>();

    @Autowired
    public AccessTokens(SandboxRandom random) {
        this(random, Clock.systemUTC(), CLASSIC_PER_DAY);
    }

    AccessTokens(SandboxRandom random, Clock clock, int classicPerDay) {
        this.random = random;
        this.clock = clock;
        this.classicPerDay = classicPerDay;
    }

    /** {@code GET /cgi-bin/token}. */
    public synchronized Grant classic(String appid) {
        App app = app(appid);
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!today.equals(app.classicDay)) {
            app.classicDay = today;
            app.classicToday = 0;
        }
        if (app.classicToday >= classicPerDay) {
            return Grant.error(45009, "reach max api daily quota limit");
        }
        app.classicToday++;
        if (app.classic != null) {
            // the previous token overlaps the new one for five minutes; anything older is already void
            retire(app.classic, now.plus(OVERLAP));
        }
        app.classic = issue(app, appid, false, now);
        return new Grant(app.classic.value(), TTL.toSeconds(), 0, "ok");
    }

    /** {@code POST /cgi-bin/stable_token}. */
    public synchronized Grant stable(String appid, boolean forceRefresh) {
        App app = app(appid);
        Instant now = clock.instant();
        Token current = app.stable == null ? null : tokens.get(app.stable.value());
        boolean live = current != null && current.voidFrom() == null && now.isBefore(current.expiresAt());
        if (forceRefresh) {
            if (live && app.lastForce != null && now.isBefore(app.lastForce.plus(FORCE_REFRESH_SPACING))) {
                return grant(current, now); // too soon after the last forced refresh: no refresh, as WeChat does
            }
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            if (!today.equals(app.forceDay)) {
                app.forceDay = today;
                app.forcesToday = 0;
            }
            if (app.forcesToday >= FORCE_REFRESH_PER_DAY) {
                return Grant.error(45009, "reach max api daily quota limit");
            }
            app.forcesToday++;
            app.lastForce = now;
            if (current != null) {
                retire(current, now);
            }
            app.stable = issue(app, appid, true, now);
            return grant(app.stable, now);
        }
        if (live && now.isBefore(current.expiresAt().minus(OVERLAP))) {
            return grant(current, now);
        }
        // expired, replaced, or in its last five minutes: a new one; a still-live old one lives out its time
        app.stable = issue(app, appid, true, now);
        return grant(app.stable, now);
    }

    /** Whether a token may call WeChat now. */
    public Check check(String value) {
        Token token = value == null ? null : tokens.get(value);
        if (token == null) {
            return new Check(40001, null);
        }
        Instant now = clock.instant();
        if (token.voidFrom() != null && !now.isBefore(token.voidFrom())) {
            return new Check(40001, token.appid());
        }
        if (!now.isBefore(token.expiresAt())) {
            return new Check(42001, token.appid());
        }
        return new Check(0, token.appid());
    }

    /** Test control: every token of the app expires now (calls answer 42001), as if two hours had passed. */
    public synchronized void expireAll(String appid) {
        Instant now = clock.instant();
        tokens.replaceAll((value, t) -> t.appid().equals(appid) && now.isBefore(t.expiresAt())
                ? new Token(t.appid(), t.value(), t.stable(), now, t.voidFrom()) : t);
    }

    /** Test control: the app's current tokens are void now (calls answer 40001), as after a reset elsewhere. */
    public synchronized void invalidateAll(String appid) {
        Instant now = clock.instant();
        tokens.replaceAll((value, t) -> t.appid().equals(appid) ? t.voidAt(now) : t);
    }

    /** How many tokens the app was ever issued. */
    public synchronized int issued(String appid) {
        return app(appid).issued;
    }

    private Token issue(App app, String appid, boolean stable, Instant now) {
        Token token = new Token(appid, random.alnum(64), stable, now.plus(TTL), null);
        tokens.put(token.value(), token);
        app.issued++;
        return token;
    }

    private void retire(Token token, Instant at) {
        tokens.computeIfPresent(token.value(), (v, t) -> t.voidAt(at));
    }

    private static Grant grant(Token token, Instant now) {
        return new Grant(token.value(), Math.max(0, Duration.between(now, token.expiresAt()).toSeconds()), 0, "ok");
    }

    private App app(String appid) {
        return apps.computeIfAbsent(appid, a -> new App());
    }
}
