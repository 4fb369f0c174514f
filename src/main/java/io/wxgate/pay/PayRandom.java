package io.wxgate.pay;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Unguessable out_trade_no and nonce_str values, from a DRBG seeded once at startup (no /dev/random on request threads). */
@Component
public class PayRandom {

    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final SecureRandom random;

    public PayRandom() {
        try {
            this.random = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
        }
        this.random.nextBytes(new byte[32]);
    }

    /** 32 characters: the UTC second (readable in WeChat's merchant console) and 18 random ones (~107 bits). */
    public String outTradeNo(Instant now) {
        return SECOND.format(now) + letters(18);
    }

    /** WeChat's nonce_str: 32 random letters and digits. */
    public String nonceStr() {
        return letters(32);
    }

    private String letters(int count) {
        char[] out = new char[count];
        for (int i = 0; i < count; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
