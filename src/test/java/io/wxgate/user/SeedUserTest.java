package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class SeedUserTest {

    @Test
    void timesAreWhatDjangoRestFrameworkWritesMicrosecondsZeroPaddedAndNoFractionWhenZero() {
        assertThat(SeedUser.djangoTime(new BigDecimal("1556699400.123000"))).isEqualTo("2019-05-01T08:30:00.123000Z");
        assertThat(SeedUser.djangoTime(new BigDecimal("1556699400.000005"))).isEqualTo("2019-05-01T08:30:00.000005Z");
        assertThat(SeedUser.djangoTime(new BigDecimal("1556699400.000000"))).isEqualTo("2019-05-01T08:30:00Z");
        assertThat(SeedUser.djangoTime(null)).isNull();
    }
}
