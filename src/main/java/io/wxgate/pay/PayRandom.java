package io.wxgate.pay;

import io.wxgate.wechat.RandomText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Unguessable out_trade_no and nonce_str values. */
@Component
public class PayRandom extends RandomText {

    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    /** 32 characters: the UTC second (readable in WeChat's merchant console) and 18 random ones (~107 bits). */
    public String outTradeNo(Instant now) {
        return SECOND.format(now) + alnum(18);
    }

    /** WeChat's nonce_str: 32 random letters and digits. */
    public String nonceStr() {
        return alnum(32);
    }
}
