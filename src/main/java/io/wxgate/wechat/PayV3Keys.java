package io.wxgate.wechat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEM texts WeChat Pay hands a merchant, as JDK keys: the merchant's {@code apiclient_key.pem} (PKCS#8), the
 * WeChat Pay public key ({@code pub_key.pem}, SubjectPublicKeyInfo) and platform certificates (X.509). A text
 * that is not what it should be is refused with a message that names the expected form, never its content.
 */
public final class PayV3Keys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PayV3Keys() {
    }

    /** A malformed or wrong-kind key; the message never carries key material. */
    public static final class BadKey extends IllegalArgumentException {
        BadKey(String message) {
            super(message);
        }
    }

    /** The merchant's private key from {@code -----BEGIN PRIVATE KEY-----} (PKCS#8, as in apiclient_key.pem). */
    public static PrivateKey privateKey(String pem) {
        byte[] der = der(pem, "PRIVATE KEY", "a PKCS#8 RSA private key (-----BEGIN PRIVATE KEY-----, as apiclient_key.pem;"
                + " convert a PKCS#1 key with: openssl pkcs8 -topk8 -nocrypt)");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new BadKey("not an RSA private key in PKCS#8 form");
        }
    }

    /** The WeChat Pay public key (or any RSA public key) from {@code -----BEGIN PUBLIC KEY-----}. */
    public static PublicKey publicKey(String pem) {
        byte[] der = der(pem, "PUBLIC KEY", "an RSA public key (-----BEGIN PUBLIC KEY-----, as WeChat Pay's pub_key.pem)");
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new BadKey("not an RSA public key");
        }
    }

    /** An X.509 certificate from {@code -----BEGIN CERTIFICATE-----}. */
    public static X509Certificate certificate(String pem) {
        der(pem, "CERTIFICATE", "an X.509 certificate (-----BEGIN CERTIFICATE-----)");
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.trim().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new BadKey("not a valid X.509 certificate");
        }
    }

    /** A certificate's serial as WeChat writes it: upper-case hex without leading zeros. */
    public static String serialOf(X509Certificate certificate) {
        return serialText(certificate.getSerialNumber());
    }

    public static String serialText(BigInteger serial) {
        return serial.toString(16).toUpperCase(Locale.ROOT);
    }

    /** A key as PEM text, for the sandbox's generated keys and for tests. */
    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem, String type, String expected) {
        if (pem == null) {
            throw new BadKey("expected " + expected + ", got nothing");
        }
        Matcher m = PEM.matcher(pem);
        if (!m.find() || !m.group(1).equals(type)) {
            throw new BadKey("expected " + expected);
        }
        try {
            return Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new BadKey("expected " + expected + "; its base64 is broken");
        }
    }
}
