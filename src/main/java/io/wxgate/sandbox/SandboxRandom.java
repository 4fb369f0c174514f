package io.wxgate.sandbox;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Random identifiers shaped like WeChat's (codes, openids, session keys, ids); seeded once, never blocks afterwards. */
@org.springframework.stereotype.Component
public final class SandboxRandom {

    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final char[] OPENID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final SecureRandom random;

    public SandboxRandom() {
        try {
            random = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
        }
        random.nextBytes(new byte[16]);
    }

    public String alnum(int length) {
        return pick(ALNUM, length);
    }

    public String digits(int length) {
        return pick("0123456789".toCharArray(), length);
    }

    /** 28 characters starting with 'o', like a real openid. */
    public String openid() {
        return "o" + pick(OPENID, 27);
    }

    /** 16 random bytes, base64: an AES-128 key as WeChat hands out session_key. */
    public String base64Bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public double nextDouble() {
        return random.nextDouble();
    }

    private String pick(char[] alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return new String(out);
    }
}
