package io.wxgate.pay;

import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The merchant's APIv3 secrets, read once at start-up from the environment or mounted files: its signer (private
 * key and certificate serial), its APIv3 key's cipher, and the WeChat Pay public key under its id. A setting that
 * is missing or malformed stops the start naming the setting, never its content.
 */
public final class PayV3Credentials {

    private final String mchid;
    private final String merchantSerialNo;
    private final PayV3Signer signer;
    private final PayV3Cipher cipher;
    private final PayProperties.Verification verification;
    private final Optional<String> publicKeyId;
    private final Optional<PublicKey> publicKey;

    private PayV3Credentials(String mchid, String merchantSerialNo, PayV3Signer signer, PayV3Cipher cipher,
                             PayProperties.Verification verification, Optional<String> publicKeyId,
                             Optional<PublicKey> publicKey) {
        this.mchid = mchid;
        this.merchantSerialNo = merchantSerialNo;
        this.signer = signer;
        this.cipher = cipher;
        this.verification = verification;
        this.publicKeyId = publicKeyId;
        this.publicKey = publicKey;
    }

    /** Thrown at start-up: what to set, and why. */
    public static final class Invalid extends IllegalStateException {
        Invalid(String message) {
            super(message);
        }
    }

    public static PayV3Credentials load(String mchid, PayProperties.V3 v3) {
        List<String> problems = new ArrayList<>();
        String serial = v3.merchantSerialNo();
        if (serial == null || !serial.matches("[0-9A-Fa-f]{1,40}")) {
            problems.add("WXGATE_PAY_MERCHANT_SERIAL_NO (wechat.pay.v3.merchant-serial-no): the merchant certificate's "
                    + "serial number, hex");
        }
        PayV3Signer signer = null;
        Optional<String> privateKey = secret(v3.privateKey(), v3.privateKeyFile(), "WXGATE_PAY_PRIVATE_KEY",
                "private-key", problems);
        if (privateKey.isPresent()) {
            try {
                signer = new PayV3Signer(PayV3Keys.privateKey(privateKey.get()));
            } catch (PayV3Keys.BadKey e) {
                problems.add("WXGATE_PAY_PRIVATE_KEY_FILE / _PRIVATE_KEY (wechat.pay.v3.private-key[-file]): " + e.getMessage());
            }
        }
        PayV3Cipher cipher = null;
        Optional<String> apiV3Key = secret(v3.apiV3Key(), v3.apiV3KeyFile(), "WXGATE_PAY_API_V3_KEY", "api-v3-key",
                problems);
        if (apiV3Key.isPresent()) {
            try {
                cipher = new PayV3Cipher(apiV3Key.get().strip());
            } catch (IllegalArgumentException e) {
                problems.add("WXGATE_PAY_API_V3_KEY_FILE / _API_V3_KEY (wechat.pay.v3.api-v3-key[-file]): "
                        + "the APIv3 key must be 32 bytes");
            }
        }
        Optional<String> keyId = Optional.empty();
        Optional<PublicKey> publicKey = Optional.empty();
        if (v3.verification() != PayProperties.Verification.CERTIFICATE) {
            if (v3.publicKeyId() == null || !v3.publicKeyId().startsWith("PUB_KEY_ID_")) {
                problems.add("WXGATE_PAY_PUBLIC_KEY_ID (wechat.pay.v3.public-key-id): the WeChat Pay public key's id, "
                        + "PUB_KEY_ID_…");
            } else {
                keyId = Optional.of(v3.publicKeyId());
            }
            Optional<String> pem = secret(v3.publicKey(), v3.publicKeyFile(), "WXGATE_PAY_PUBLIC_KEY", "public-key",
                    problems);
            if (pem.isPresent()) {
                try {
                    publicKey = Optional.of(PayV3Keys.publicKey(pem.get()));
                } catch (PayV3Keys.BadKey e) {
                    problems.add("WXGATE_PAY_PUBLIC_KEY_FILE / _PUBLIC_KEY (wechat.pay.v3.public-key[-file]): "
                            + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid("WeChat Pay APIv3 is not configured correctly; set " + String.join("; ", problems));
        }
        return new PayV3Credentials(mchid, serial.toUpperCase(java.util.Locale.ROOT), signer, cipher, v3.verification(),
                keyId, publicKey);
    }

    /** A secret given as text or as a file (exactly one); a problem is noted when neither is, or the file can't be read. */
    private static Optional<String> secret(String text, String file, String env, String key, List<String> problems) {
        boolean hasText = text != null && !text.isBlank();
        boolean hasFile = file != null && !file.isBlank();
        if (hasText && hasFile) {
            problems.add(env + " and " + env + "_FILE (wechat.pay.v3." + key + "[-file]): give one, not both");
            return Optional.empty();
        }
        if (hasText) {
            return Optional.of(text);
        }
        if (!hasFile) {
            problems.add(env + "_FILE or " + env + " (wechat.pay.v3." + key + "-file or ." + key + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            problems.add(env + "_FILE (wechat.pay.v3." + key + "-file): cannot read " + file);
            return Optional.empty();
        }
    }

    public String mchid() {
        return mchid;
    }

    public String merchantSerialNo() {
        return merchantSerialNo;
    }

    public PayV3Signer signer() {
        return signer;
    }

    public PayV3Cipher cipher() {
        return cipher;
    }

    public PayProperties.Verification verification() {
        return verification;
    }

    public Optional<String> publicKeyId() {
        return publicKeyId;
    }

    public Optional<PublicKey> publicKey() {
        return publicKey;
    }

    @Override
    public String toString() {
        return "PayV3Credentials[mchid=" + mchid + ", serial=" + merchantSerialNo + ", verification=" + verification
                + ", publicKeyId=" + publicKeyId.orElse("-") + ", secrets hidden]";
    }
}
