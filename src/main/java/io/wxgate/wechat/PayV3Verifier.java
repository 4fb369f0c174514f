package io.wxgate.wechat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks what WeChat Pay APIv3 signs toward a merchant (every reply and every notify): the
 * {@code Wechatpay-Signature} over {@code TIMESTAMP\nNONCE\nBODY\n} on the raw body bytes, with the key the
 * {@code Wechatpay-Serial} names, a timestamp less than five minutes away, and never a
 * {@code WECHATPAY/SIGNTEST/} probe. The failures are told apart for metrics and logs only; callers answer them all
 * alike.
 */
public final class PayV3Verifier {

    /** How far a signed timestamp may be from now, as the official SDK allows (five minutes excluded). */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    private static final String PROBE_PREFIX = "WECHATPAY/SIGNTEST/";
    private static final byte[] NEWLINE = {'\n'};

    /** Why a signed message was not believed. */
    public enum Failure { MISSING_HEADERS, UNKNOWN_SERIAL, PROBE, STALE_TIMESTAMP, BAD_SIGNATURE }

    /** The four {@code Wechatpay-*} headers; any may be null when the message lacks it. */
    public record SignedHeaders(String timestamp, String nonce, String signature, String serial) {

        /** The header names, exactly as WeChat writes them (the official SDK reads them case-sensitively). */
        public static final String TIMESTAMP = "Wechatpay-Timestamp";
        public static final String NONCE = "Wechatpay-Nonce";
        public static final String SIGNATURE = "Wechatpay-Signature";
        public static final String SERIAL = "Wechatpay-Serial";

        /** The four headers read with {@code header} (a name to its first value, or null), whatever carries them. */
        public static SignedHeaders from(java.util.function.UnaryOperator<String> header) {
            return new SignedHeaders(header.apply(TIMESTAMP), header.apply(NONCE), header.apply(SIGNATURE),
                    header.apply(SERIAL));
        }

        boolean complete() {
            return present(timestamp) && present(nonce) && present(signature) && present(serial);
        }

        private static boolean present(String value) {
            return value != null && !value.isEmpty();
        }
    }

    private final PayV3Keyring keys;

    public PayV3Verifier(PayV3Keyring keys) {
        this.keys = keys;
    }

    /** Empty when the message is WeChat Pay's, signed at most five minutes from {@code now}. */
    public Optional<Failure> verify(SignedHeaders headers, byte[] body, Instant now) {
        if (headers == null || !headers.complete()) {
            return Optional.of(Failure.MISSING_HEADERS);
        }
        if (headers.signature().startsWith(PROBE_PREFIX)) {
            return Optional.of(Failure.PROBE);
        }
        Optional<PublicKey> key = keys.key(headers.serial());
        if (key.isEmpty()) {
            return Optional.of(Failure.UNKNOWN_SERIAL);
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(headers.timestamp());
        } catch (NumberFormatException e) {
            return Optional.of(Failure.STALE_TIMESTAMP);
        }
        if (Math.abs(now.getEpochSecond() - timestamp) >= MAX_SKEW.toSeconds()) {
            return Optional.of(Failure.STALE_TIMESTAMP);
        }
        return verifies(key.get(), headers, body) ? Optional.empty() : Optional.of(Failure.BAD_SIGNATURE);
    }

    private static boolean verifies(PublicKey key, SignedHeaders headers, byte[] body) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(headers.signature());
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update(headers.timestamp().getBytes(StandardCharsets.UTF_8));
            rsa.update(NEWLINE);
            rsa.update(headers.nonce().getBytes(StandardCharsets.UTF_8));
            rsa.update(NEWLINE);
            rsa.update(ByteBuffer.wrap(body == null ? new byte[0] : body));
            rsa.update(NEWLINE);
            return rsa.verify(signature);
        } catch (GeneralSecurityException e) {
            // a signature of the wrong length or an unusable key: not WeChat's signature either way
            return false;
        }
    }

    /** True when {@code signature} is SHA256withRSA by {@code key} over {@code message} (sandbox: a merchant's paySign). */
    public static boolean verifies(PublicKey key, String message, String signature) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update(message.getBytes(StandardCharsets.UTF_8));
            return rsa.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
