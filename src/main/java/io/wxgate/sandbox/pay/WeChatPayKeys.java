package io.wxgate.sandbox.pay;

import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.sandbox.SandboxRandom;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The sandbox's WeChat Pay APIv3 identity: its RSA key pair and {@code PUB_KEY_ID_…} (configured or made at
 * startup), the platform certificate minted over that key at startup for merchants in certificate mode, and each
 * APIv3 merchant's public key and APIv3 key. Signs every v3 reply and notify.
 */
@Component
public class WeChatPayKeys {

    private static final Logger log = LoggerFactory.getLogger(WeChatPayKeys.class);
    /** The real platform certificates' subject; the sandbox's is self-signed. */
    private static final X500Name SUBJECT = new X500Name("CN=Tenpay.com sign,OU=Tenpay.com CA Center,O=Tenpay.com,L=ShenZhen,C=CN");
    private static final Duration CERTIFICATE_LIFE = Duration.ofDays(5 * 365);

    private final PublicKey publicKey;
    private final String publicKeyId;
    private final X509Certificate certificate;
    private final String certificateSerialNo;
    private final PayV3Signer signer;
    private final Map<String, PublicKey> merchantKeys = new HashMap<>();
    private final Map<String, PayV3Cipher> merchantCiphers = new HashMap<>();
    private final SandboxRandom random;

    WeChatPayKeys(SandboxProperties sandbox, SandboxRandom random) {
        this.random = random;
        SandboxProperties.Wechatpay own = sandbox.wechatpay();
        KeyPair pair = own.privateKey() == null || own.privateKey().isBlank() ? generate() : configured(own.privateKey());
        this.publicKey = pair.getPublic();
        this.publicKeyId = own.publicKeyId() == null || own.publicKeyId().isBlank()
                ? "PUB_KEY_ID_01" + random.digits(30) : own.publicKeyId();
        this.signer = new PayV3Signer(pair.getPrivate());
        this.certificate = mint(pair, new BigInteger(1, serialBytes()));
        this.certificateSerialNo = PayV3Keys.serialOf(certificate);
        for (SandboxProperties.Merchant merchant : sandbox.merchants()) {
            boolean anyV3 = merchant.apiV3Key() != null || merchant.merchantPublicKey() != null
                    || merchant.merchantSerialNo() != null;
            if ((anyV3 || merchant.verification() == SandboxProperties.Verification.CERTIFICATE) && !merchant.apiV3()) {
                throw new IllegalStateException("sandbox.merchants (mch-id " + merchant.mchId() + "): an APIv3 merchant"
                        + " needs all of api-v3-key, merchant-public-key and merchant-serial-no");
            }
            if (merchant.merchantPublicKey() != null) {
                try {
                    merchantKeys.put(merchant.mchId(), PayV3Keys.publicKey(merchant.merchantPublicKey()));
                } catch (PayV3Keys.BadKey e) {
                    throw new IllegalStateException("sandbox.merchants (mch-id " + merchant.mchId()
                            + ") merchant-public-key: " + e.getMessage());
                }
            }
            if (merchant.apiV3Key() != null) {
                try {
                    merchantCiphers.put(merchant.mchId(), new PayV3Cipher(merchant.apiV3Key()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("sandbox.merchants (mch-id " + merchant.mchId() + ") api-v3-key: "
                            + e.getMessage());
                }
            }
        }
        log.info("sandbox WeChat Pay APIv3 key ({}): public key id {}, platform certificate serial {}",
                own.privateKey() == null || own.privateKey().isBlank() ? "generated" : "configured",
                publicKeyId, certificateSerialNo);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyId() {
        return publicKeyId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificateSerialNo() {
        return certificateSerialNo;
    }

    public String publicKeyPem() {
        return PayV3Keys.pem("PUBLIC KEY", publicKey.getEncoded());
    }

    public String certificatePem() {
        try {
            return PayV3Keys.pem("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the sandbox's platform certificate cannot be encoded", e);
        }
    }

    /** What {@code Wechatpay-Serial} says to this merchant: the key id, or the certificate's serial. */
    public String serialFor(SandboxProperties.Merchant merchant) {
        return merchant.verification() == SandboxProperties.Verification.CERTIFICATE ? certificateSerialNo : publicKeyId;
    }

    Optional<PublicKey> merchantKey(String mchId) {
        return Optional.ofNullable(merchantKeys.get(mchId));
    }

    Optional<PayV3Cipher> merchantCipher(String mchId) {
        return Optional.ofNullable(merchantCiphers.get(mchId));
    }

    /**
     * The four {@code Wechatpay-*} headers for a body (a reply's or a notify's), signed now over
     * {@code TIMESTAMP\nNONCE\nBODY\n}; {@code corrupt} spoils the signature (fault {@code badSignNotifies}).
     */
    PayV3Verifier.SignedHeaders sign(String body, String serial, boolean corrupt) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String nonce = random.alnum(32);
        String signature = signer.sign(PayV3Signer.message(timestamp, nonce, body));
        return new PayV3Verifier.SignedHeaders(timestamp, nonce, corrupt ? corrupt(signature) : signature, serial);
    }

    /** A 12-character nonce for AEAD_AES_256_GCM, as WeChat's. */
    String gcmNonce() {
        return random.alnum(12);
    }

    private static String corrupt(String signature) {
        return (signature.charAt(0) == 'A' ? 'B' : 'A') + signature.substring(1);
    }

    private byte[] serialBytes() {
        byte[] serial = Base64.getDecoder().decode(random.base64Bytes(20));
        serial[0] = (byte) ((serial[0] & 0x3F) | 0x10); // positive, and no leading zero in its hex
        return serial;
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the sandbox's WeChat Pay key pair", e);
        }
    }

    private static KeyPair configured(String pem) {
        PrivateKey privateKey;
        try {
            privateKey = PayV3Keys.privateKey(pem);
        } catch (PayV3Keys.BadKey e) {
            throw new IllegalStateException("sandbox.wechatpay.private-key: " + e.getMessage());
        }
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalStateException("sandbox.wechatpay.private-key: expected an RSA key with its CRT parameters");
        }
        try {
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new KeyPair(publicKey, privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sandbox.wechatpay.private-key: no public key derives from it", e);
        }
    }

    /** A self-signed certificate over WeChat Pay's key, without KeyUsage (as the real ones the SDK is tested with). */
    private static X509Certificate mint(KeyPair pair, BigInteger serial) {
        Instant now = Instant.now();
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(SUBJECT, serial,
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(CERTIFICATE_LIFE)), SUBJECT, pair.getPublic());
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot mint the sandbox's platform certificate", e);
        }
    }

    @Override
    public String toString() {
        return "WeChatPayKeys[publicKeyId=" + publicKeyId + ", certificate=" + certificateSerialNo + ", private key hidden]";
    }
}
