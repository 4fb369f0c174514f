package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TradeStateTest {

    @Test
    void onlyAnOpenOrderCanBePaidAndAPaidOneOnlyRefunded() {
        assertThat(TradeState.NOTPAY.canMoveTo(TradeState.SUCCESS)).isTrue();
        assertThat(TradeState.USERPAYING.canMoveTo(TradeState.SUCCESS)).isTrue();
        assertThat(TradeState.SUCCESS.next()).containsExactly(TradeState.REFUND);
        assertThat(TradeState.SUCCESS.canMoveTo(TradeState.NOTPAY)).isFalse();
        assertThat(TradeState.CLOSED.next()).as("WeChat's word that it was paid wins").containsExactly(TradeState.SUCCESS);
        assertThat(TradeState.from(TradeState.SUCCESS))
                .containsExactlyInAnyOrder(TradeState.NOTPAY, TradeState.USERPAYING, TradeState.CLOSED);
        assertThat(TradeState.from(TradeState.CLOSED)).containsExactlyInAnyOrder(TradeState.NOTPAY, TradeState.USERPAYING);
        for (TradeState terminal : Set.of(TradeState.REFUND, TradeState.REVOKED, TradeState.PAYERROR)) {
            assertThat(terminal.next()).as(terminal.name()).isEmpty();
        }
        assertThat(TradeState.fromWire("SUCCESS")).contains(TradeState.SUCCESS);
        assertThat(TradeState.fromWire("success")).isEmpty();
    }

    @Test
    void outTradeNumbersAre32ValidCharactersAndDoNotRepeat() {
        PayRandom random = new PayRandom();
        Set<String> seen = new HashSet<>();
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        for (int i = 0; i < 20_000; i++) {
            String no = random.outTradeNo(now);
            assertThat(no).hasSize(32).startsWith("20261124120000");
            assertThat(OutTradeNo.valid(no)).isTrue();
            assertThat(seen.add(no)).isTrue();
        }
        assertThat(OutTradeNo.valid("a".repeat(33))).isFalse();
        assertThat(OutTradeNo.valid("no spaces")).isFalse();
        assertThat(OutTradeNo.valid("ok_-|*09")).isTrue();
    }
}
