package io.wxgate.pay;

import java.util.regex.Pattern;

/** WeChat's out_trade_no syntax: at most 32 of letters, digits and {@code _ - | *}. */
public final class OutTradeNo {

    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9_\\-|*]{1,32}");

    private OutTradeNo() {
    }

    public static boolean valid(String value) {
        return value != null && SYNTAX.matcher(value).matches();
    }
}
