package io.wxgate.wechat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature checksession and resetusersessionkey take instead of the session_key itself:
 * {@code hmac_sha256(key = the session_key's base64 text, message = "")} in lower-case hex.
 */
public final class SessionKeySignature {

    private SessionKeySignature() {
    }

    public static String of(String sessionKeyB64) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sessionKeyB64.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(new byte[0]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Constant-time check of a signature someone sent against the session_key. */
    public static boolean matches(String signature, String sessionKeyB64) {
        if (signature == null || sessionKeyB64 == null) {
            return false;
        }
        return MessageDigest.isEqual(of(sessionKeyB64).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.UTF_8));
    }
}
