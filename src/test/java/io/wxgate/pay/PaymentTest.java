package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentTest {

    private static Map<String, String> paid(String transactionId) {
        Map<String, String> fields = new HashMap<>(Map.of("trade_state", "SUCCESS", "bank_type", "CMC",
                "time_end", "20261124120000", "total_fee", "100"));
        if (transactionId != null) {
            fields.put("transaction_id", transactionId);
        }
        return fields;
    }

    @Test
    void aReportedPaymentCarriesWeChatsTransactionIdBankTypeAndTimeEnd() {
        assertThat(Payment.reportedIn(paid("4200000123201811210531432413")))
                .contains(new Payment("4200000123201811210531432413", "CMC", "20261124120000"));
    }

    @Test
    void aPaymentWithoutAUsableTransactionIdIsNotAPayment() {
        assertThat(Payment.reportedIn(paid(null))).isEmpty();
        assertThat(Payment.reportedIn(paid(""))).isEmpty();
        assertThat(Payment.reportedIn(paid("4200-0001"))).isEmpty();
        assertThat(Payment.reportedIn(paid("4".repeat(33)))).isEmpty();
    }
}
