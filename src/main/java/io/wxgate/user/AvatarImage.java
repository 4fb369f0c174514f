package io.wxgate.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/** An avatar image, its type told by its first bytes (never by what the client claims), and its SHA-256. */
public record AvatarImage(String contentType, byte[] bytes, String sha256) {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    /** The image these bytes are, or empty when they are no JPEG, PNG, GIF or WebP. */
    public static Optional<AvatarImage> of(byte[] bytes) {
        return typeOf(bytes).map(type -> new AvatarImage(type, bytes, sha256(bytes)));
    }

    static Optional<String> typeOf(byte[] b) {
        if (startsWith(b, JPEG) && b.length > 3) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(b, PNG)) {
            return Optional.of("image/png");
        }
        if (startsWith(b, "GIF87a".getBytes(StandardCharsets.US_ASCII)) || startsWith(b, "GIF89a".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("image/gif");
        }
        if (b.length > 12 && startsWith(b, "RIFF".getBytes(StandardCharsets.US_ASCII))
                && Arrays.equals(b, 8, 12, "WEBP".getBytes(StandardCharsets.US_ASCII), 0, 4)) {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "AvatarImage[" + contentType + ", " + bytes.length + " bytes, " + sha256 + "]";
    }
}
