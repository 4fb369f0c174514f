package io.wxgate.wechat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The mini-program open-data cipher: AES-128-CBC keyed with the base64 session_key, base64 IV,
 * PKCS#7 padding checked strictly (the JDK's PKCS5Padding is the same scheme for 16-byte blocks,
 * but it is unpadded here by hand so every malformed pad is refused the same way).
 */
public final class UserDataCipher {

    private static final int BLOCK = 16;

    private UserDataCipher() {
    }

    public static String decrypt(String sessionKeyB64, String encryptedDataB64, String ivB64) {
        byte[] key = decodeBase64("session_key", sessionKeyB64, BLOCK);
        byte[] iv = decodeBase64("iv", ivB64, BLOCK);
        byte[] data = decodeBase64("encryptedData", encryptedDataB64, -1);
        if (data.length == 0 || data.length % BLOCK != 0) {
            throw new BadUserData("encryptedData is not a whole number of AES blocks");
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            plain = cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new BadUserData("encryptedData could not be decrypted");
        }
        int pad = plain[plain.length - 1] & 0xff;
        boolean badPad = pad < 1 || pad > BLOCK;
        for (int i = 0; !badPad && i < pad; i++) {
            badPad = (plain[plain.length - 1 - i] & 0xff) != pad;
        }
        if (badPad) {
            throw new BadUserData("encryptedData has invalid padding (wrong session_key or iv?)");
        }
        try {
            // strict: a block garbled by tampering is almost never valid UTF-8, so it cannot pass as text
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(plain, 0, plain.length - pad))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadUserData("the decrypted data is not UTF-8");
        }
    }

    /** What WeChat does on the phone's side; the sandbox uses it to hand out real ciphertexts. */
    public static String encrypt(String sessionKeyB64, String plainJson, String ivB64) {
        byte[] key = decodeBase64("session_key", sessionKeyB64, BLOCK);
        byte[] iv = decodeBase64("iv", ivB64, BLOCK);
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return Base64.getEncoder().encodeToString(cipher.doFinal(plainJson.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC is missing from this JVM", e);
        }
    }

    /** {@code sha1(rawData + session_key)} in lower-case hex, as {@code wx.getUserInfo} signs {@code rawData}. */
    public static String rawDataSignature(String rawData, String sessionKeyB64) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((rawData + sessionKeyB64).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** Constant-time comparison of a client's {@code signature} with the one computed here. */
    public static boolean rawDataSignatureMatches(String rawData, String signature, String sessionKeyB64) {
        if (signature == null) {
            return false;
        }
        byte[] expected = rawDataSignature(rawData, sessionKeyB64).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] decodeBase64(String field, String value, int expectedLength) {
        if (value == null || value.isEmpty()) {
            throw new BadUserData(field + " is empty");
        }
        byte[] bytes;
        try {
            // the mini-program's base64 is the standard alphabet; a '+' mangled to ' ' by form encoding is mended
            bytes = Base64.getDecoder().decode(value.replace(' ', '+'));
        } catch (IllegalArgumentException e) {
            throw new BadUserData(field + " is not valid base64");
        }
        if (expectedLength > 0 && bytes.length != expectedLength) {
            throw new BadUserData(field + " must decode to " + expectedLength + " bytes");
        }
        return bytes;
    }

    /** Open data that cannot be decoded, decrypted or unpadded. */
    public static final class BadUserData extends RuntimeException {
        public BadUserData(String reason) {
            super(reason);
        }
    }
}
