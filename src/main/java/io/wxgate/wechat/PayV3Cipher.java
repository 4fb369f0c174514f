package io.wxgate.wechat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AEAD_AES_256_GCM with the merchant's 32-byte APIv3 key: how WeChat Pay encrypts a notify's {@code resource} and
 * the certificates of {@code /v3/certificates}. 128-bit tag appended to the ciphertext, base64. Any failure to
 * decrypt (wrong key, tampered text or tag, bad nonce or base64) is the one {@link Undecryptable}.
 */
public final class PayV3Cipher {

    public static final String ALGORITHM = "AEAD_AES_256_GCM";
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;

    public PayV3Cipher(String apiV3Key) {
        byte[] bytes = apiV3Key == null ? new byte[0] : apiV3Key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != 32) {
            throw new IllegalArgumentException("the APIv3 key must be 32 bytes");
        }
        this.key = new SecretKeySpec(bytes, "AES");
    }

    /** Nothing could be decrypted; deliberately says nothing about why. */
    public static final class Undecryptable extends Exception {
        Undecryptable() {
            super("resource cannot be decrypted", null, false, false);
        }
    }

    public String decrypt(String associatedData, String nonce, String ciphertext) throws Undecryptable {
        if (nonce == null || nonce.isEmpty() || ciphertext == null) {
            throw new Undecryptable();
        }
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce.getBytes(StandardCharsets.UTF_8)));
            if (associatedData != null) {
                gcm.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            }
            return new String(gcm.doFinal(Base64.getDecoder().decode(ciphertext)), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Undecryptable();
        }
    }

    /** The sandbox's side: what WeChat sends. */
    public String encrypt(String associatedData, String nonce, String plaintext) {
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce.getBytes(StandardCharsets.UTF_8)));
            if (associatedData != null) {
                gcm.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getEncoder().encodeToString(gcm.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public String toString() {
        return "PayV3Cipher[key hidden]";
    }
}
