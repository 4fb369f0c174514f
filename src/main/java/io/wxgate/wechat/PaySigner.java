package io.wxgate.wechat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat Pay APIv2 signatures: ASCII-sorted {@code k=v&...} of the non-empty fields except {@code sign},
 * then {@code &key=API_KEY}; MD5 or HMAC-SHA256 (keyed with the API key), upper-case hex.
 */
public final class PaySigner {

    private final String apiKey;

    public PaySigner(String apiKey) {
        if (apiKey == null || apiKey.isEmpty()) {
            throw new IllegalArgumentException("the WeChat Pay API key is empty");
        }
        this.apiKey = apiKey;
    }

    /** The string WeChat signs, exposed so tests can compare it with WeChat's published example. */
    public String stringToSign(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (e.getKey().equals("sign") || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            out.append(e.getKey()).append('=').append(e.getValue()).append('&');
        }
        return out.append("key=").append(apiKey).toString();
    }

    public String sign(Map<String, String> fields, SignType type) {
        byte[] input = stringToSign(fields).getBytes(StandardCharsets.UTF_8);
        byte[] digest = switch (type) {
            case MD5 -> md5(input);
            case HMAC_SHA256 -> hmacSha256(input);
            case RSA -> throw new IllegalArgumentException("RSA is APIv3's sign type; PaySigner signs APIv2 only");
        };
        return HexFormat.of().withUpperCase().formatHex(digest);
    }

    /** Constant-time check of the {@code sign} field against a signature over every other field. */
    public boolean verify(Map<String, String> fields, SignType type) {
        String given = fields.get("sign");
        if (given == null || given.isEmpty() || !type.apiV2()) {
            return false;
        }
        String expected = sign(fields, type);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] md5(byte[] input) {
        try {
            return MessageDigest.getInstance("MD5").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }

    private byte[] hmacSha256(byte[] input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
