package io.wxgate.pay;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** An order as the versioned API shows it to its owner; {@code payment} only right after creating it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderView(
        @JsonProperty("out_trade_no") String outTradeNo,
        @JsonProperty("total_fee") long totalFee,
        String body,
        @JsonProperty("trade_state") TradeState tradeState,
        @JsonProperty("transaction_id") String transactionId,
        @JsonProperty("time_end") String timeEnd,
        @JsonProperty("created_at") Instant createdAt,
        PaymentParams payment) {

    static OrderView of(PayOrder order, PaymentParams payment) {
        return new OrderView(order.outTradeNo(), order.totalFee(), order.body(), order.tradeState(),
                order.transactionId(), order.timeEnd(), order.createdAt(), payment);
    }
}
