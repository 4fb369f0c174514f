package io.wxgate.pay;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * WeChat Pay's trade_state values and which moves between them the gateway accepts. Every move is made by
 * {@link OrderTransitions} as one guarded write, so a move that is not listed here never reaches the database.
 * CLOSED may still become SUCCESS: when WeChat reports money moved for an order closed here, WeChat is right.
 */
public enum TradeState {
    NOTPAY, USERPAYING, SUCCESS, REFUND, CLOSED, REVOKED, PAYERROR;

    /** The states this one may move to. */
    public Set<TradeState> next() {
        return switch (this) {
            case NOTPAY -> EnumSet.of(USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR);
            case USERPAYING -> EnumSet.of(SUCCESS, CLOSED, REVOKED, PAYERROR);
            case SUCCESS -> EnumSet.of(REFUND);
            case CLOSED -> EnumSet.of(SUCCESS);
            case REFUND, REVOKED, PAYERROR -> EnumSet.noneOf(TradeState.class);
        };
    }

    public boolean canMoveTo(TradeState target) {
        return next().contains(target);
    }

    /** The states a move to {@code target} may start from. */
    public static Set<TradeState> from(TradeState target) {
        Set<TradeState> from = EnumSet.noneOf(TradeState.class);
        for (TradeState s : values()) {
            if (s.canMoveTo(target)) {
                from.add(s);
            }
        }
        return from;
    }

    /** Still waiting for the payer: a notify or an orderquery may still settle it. */
    public boolean open() {
        return this == NOTPAY || this == USERPAYING;
    }

    public static Optional<TradeState> fromWire(String value) {
        for (TradeState s : values()) {
            if (s.name().equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
