package io.wxgate.sandbox.miniapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.sandbox.SandboxRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The sandbox's token rules on a clock the test moves: lifetimes, overlaps and WeChat's daily limits. */
class AccessTokensTest {

    private static final String APPID = "wxAccessTokensTest0001";

    /** A clock that stands still until the test moves it. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-11-27T01:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final AccessTokens tokens = new AccessTokens(new SandboxRandom(), clock, 3);

    @Test
    void forceRefreshWorksTwentyTimesADayThirtySecondsApartThen45009() {
        String previous = tokens.stable(APPID, false).token();
        for (int i = 0; i < AccessTokens.FORCE_REFRESH_PER_DAY; i++) {
            clock.advance(Duration.ofSeconds(31));
            AccessTokens.Grant forced = tokens.stable(APPID, true);
            assertThat(forced.errcode()).isZero();
            assertThat(forced.token()).isNotEqualTo(previous);
            assertThat(tokens.check(previous).errcode()).isEqualTo(40001);
            previous = forced.token();
        }
        clock.advance(Duration.ofSeconds(31));
        assertThat(tokens.stable(APPID, true).errcode()).isEqualTo(45009);
        assertThat(tokens.check(previous).errcode()).isZero();

        clock.advance(Duration.ofDays(1)); // a new day, a new quota; the old token has long expired
        assertThat(tokens.check(previous).errcode()).isEqualTo(42001);
        assertThat(tokens.stable(APPID, true).errcode()).isZero();
    }

    @Test
    void aStableTokenTurnsOverInItsLastFiveMinutesAndTheOldOneLivesOutItsTime() {
        String first = tokens.stable(APPID, false).token();
        clock.advance(Duration.ofSeconds(7200 - 299));

        AccessTokens.Grant next = tokens.stable(APPID, false);

        assertThat(next.token()).isNotEqualTo(first);
        assertThat(next.expiresIn()).isEqualTo(7200);
        assertThat(tokens.check(first).errcode()).isZero();
        clock.advance(Duration.ofSeconds(300));
        assertThat(tokens.check(first).errcode()).isEqualTo(42001);
        assertThat(tokens.check(next.token()).errcode()).isZero();
    }

    @Test
    void cgiBinTokenLeavesThePreviousFiveMinutesAndHasADailyQuota() {
        String first = tokens.classic(APPID).token();
        String second = tokens.classic(APPID).token();
        clock.advance(Duration.ofMinutes(4));
        assertThat(tokens.check(first).errcode()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(tokens.check(first).errcode()).isEqualTo(40001);
        assertThat(tokens.check(second).errcode()).isZero();

        assertThat(tokens.classic(APPID).errcode()).isZero(); // the third of three a day
        assertThat(tokens.classic(APPID).errcode()).isEqualTo(45009);
    }
}
