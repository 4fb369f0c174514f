package io.wxgate.sandbox.pay;

/** The subset of WeChat's {@code trade_state} values the sandbox's orders move through. */
public enum TradeState {
    NOTPAY("订单未支付"),
    SUCCESS("支付成功"),
    CLOSED("订单已关闭");

    private final String description;

    TradeState(String description) {
        this.description = description;
    }

    /** WeChat's {@code trade_state_desc} for this state. */
    public String description() {
        return description;
    }
}
