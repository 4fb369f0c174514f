package io.wxgate.wechat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * WeChat Pay APIv3 signatures made with an RSA private key (SHA256withRSA, base64): the merchant's request
 * {@code Authorization} and {@code wx.requestPayment}'s {@code paySign}; the sandbox signs its replies and notifies
 * with the same code. Every signed message is lines each ending in {@code \n}.
 */
public final class PayV3Signer {

    /** The scheme of the {@code Authorization} header. */
    public static final String SCHEMA = "WECHATPAY2-SHA256-RSA2048";

    private final PrivateKey key;

    public PayV3Signer(PrivateKey key) {
        this.key = key;
    }

    /** The message WeChat signs: each part followed by {@code \n}. */
    public static String message(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            out.append(part).append('\n');
        }
        return out.toString();
    }

    public String sign(String message) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA256withRSA signing failed", e);
        }
    }

    /**
     * The request's {@code Authorization}: signs {@code METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n} ({@code ""} for
     * no body) with the merchant key whose certificate serial is {@code serialNo}.
     */
    public String authorization(String mchid, String serialNo, String method, String pathAndQuery, String body,
                                long timestamp, String nonce) {
        String signature = sign(message(method, pathAndQuery, Long.toString(timestamp), nonce, body == null ? "" : body));
        return SCHEMA + " mchid=\"" + mchid + "\",nonce_str=\"" + nonce + "\",timestamp=\"" + timestamp
                + "\",serial_no=\"" + serialNo + "\",signature=\"" + signature + "\"";
    }

    /** {@code wx.requestPayment}'s paySign (signType RSA) over {@code appId\ntimeStamp\nnonceStr\npackage\n}. */
    public String paySign(String appId, String timeStamp, String nonceStr, String packageValue) {
        return sign(message(appId, timeStamp, nonceStr, packageValue));
    }

    @Override
    public String toString() {
        return "PayV3Signer[key hidden]";
    }
}
