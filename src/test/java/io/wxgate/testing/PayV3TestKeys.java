package io.wxgate.testing;

import io.wxgate.wechat.PayV3Keys;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The WeChat Pay APIv3 key material of the test world, made afresh in every JVM (nothing is committed): the
 * merchant's RSA key pair and certificate serial, its APIv3 key, and "WeChat Pay"'s own key pair and
 * {@code PUB_KEY_ID_…}, which the sandbox signs with and the gateway trusts.
 */
public final class PayV3TestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static final KeyPair MERCHANT = rsa();
    /** The merchant certificate's serial, as WeChat shows it: upper-case hex. */
    public static final String MERCHANT_SERIAL_NO = HexFormat.of().formatHex(bytes(20)).toUpperCase(Locale.ROOT);
    public static final String API_V3_KEY = alphanumeric(32);
    public static final KeyPair WECHATPAY = rsa();
    public static final String WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0119" + digits(26);

    private PayV3TestKeys() {
    }

    public static String merchantPrivateKeyPem() {
        return PayV3Keys.pem("PRIVATE KEY", MERCHANT.getPrivate().getEncoded());
    }

    public static String merchantPublicKeyPem() {
        return PayV3Keys.pem("PUBLIC KEY", MERCHANT.getPublic().getEncoded());
    }

    public static String wechatpayPrivateKeyPem() {
        return PayV3Keys.pem("PRIVATE KEY", WECHATPAY.getPrivate().getEncoded());
    }

    public static String wechatpayPublicKeyPem() {
        return PayV3Keys.pem("PUBLIC KEY", WECHATPAY.getPublic().getEncoded());
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        out[0] |= 0x10; // no leading zero, as WeChat writes serials
        return out;
    }

    private static String alphanumeric(int n) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static String digits(int n) {
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append(RANDOM.nextInt(10));
        }
        return out.toString();
    }
}
