package io.wxgate.wechat;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Unguessable strings of the shapes WeChat uses (nonce_str, codes, keys, tokens). One DRBG, seeded once
 * when this is made; afterwards every call is pure computation, so request threads never wait on /dev/random.
 */
public class RandomText {

    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final char[] DIGITS = "0123456789".toCharArray();

    private final SecureRandom random;

    public RandomText() {
        try {
            random = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
        }
        random.nextBytes(new byte[32]);
    }

    /** Letters and digits, e.g. WeChat's 32-character nonce_str. */
    public String alnum(int length) {
        return pick(ALNUM, length);
    }

    public String digits(int length) {
        return pick(DIGITS, length);
    }

    /** {@code count} random bytes, standard base64 (how WeChat hands out a session_key or an IV). */
    public String base64Bytes(int count) {
        return Base64.getEncoder().encodeToString(bytes(count));
    }

    /** {@code count} random bytes, URL-safe base64 without padding (tokens). */
    public String base64UrlBytes(int count) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(count));
    }

    public double nextDouble() {
        return random.nextDouble();
    }

    protected String pick(char[] alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return new String(out);
    }

    private byte[] bytes(int count) {
        byte[] out = new byte[count];
        random.nextBytes(out);
        return out;
    }
}
