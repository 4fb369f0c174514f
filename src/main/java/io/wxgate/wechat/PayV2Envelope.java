package io.wxgate.wechat;

import java.util.Map;
import java.util.Optional;

/**
 * The checks every signed WeChat Pay APIv2 message passes before anything in it is believed, in one place for
 * the notify and every reply: a valid sign of the right type over every field it carries, and this merchant's
 * appid and mch_id. Parsing stays in {@link PayXml}; what the fields mean is the caller's.
 */
public final class PayV2Envelope {

    /** Why a message was not believed. */
    public enum Failure { BAD_SIGN, WRONG_MERCHANT }

    private final PaySigner signer;
    private final String appid;
    private final String mchId;

    public PayV2Envelope(PaySigner signer, String appid, String mchId) {
        this.signer = signer;
        this.appid = appid;
        this.mchId = mchId;
    }

    /** Checks a message signed with {@code signType} (a reply to a request the gateway signed that way). */
    public Optional<Failure> check(Map<String, String> fields, SignType signType) {
        if (!signer.verify(fields, signType)) {
            return Optional.of(Failure.BAD_SIGN);
        }
        if (!appid.equals(fields.get("appid")) || !mchId.equals(fields.get("mch_id"))) {
            return Optional.of(Failure.WRONG_MERCHANT);
        }
        return Optional.empty();
    }

    /**
     * The sign type a notify was signed with. WeChat leaves sign_type out of the notifies of HMAC-SHA256 orders,
     * signed with HMAC-SHA256 all the same; without it the sign's length tells the two apart (32 hex digits MD5,
     * 64 HMAC-SHA256). Empty for a sign_type WeChat does not define.
     */
    public static Optional<SignType> signTypeOf(Map<String, String> fields) {
        String declared = fields.get("sign_type");
        if (declared == null || declared.isEmpty()) {
            String sign = fields.get("sign");
            return Optional.of(sign != null && sign.length() == 64 ? SignType.HMAC_SHA256 : SignType.MD5);
        }
        return SignType.fromWire(declared);
    }
}
