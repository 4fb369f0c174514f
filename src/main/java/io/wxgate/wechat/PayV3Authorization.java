package io.wxgate.wechat;

import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A merchant's {@code Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"},
 * parsed: what the sandbox's WeChat Pay checks on every request. Made by {@link PayV3Signer#authorization}.
 */
public record PayV3Authorization(String mchid, String nonce, String timestamp, String serialNo, String signature) {

    private static final Pattern PARAM = Pattern.compile("\\s*([a-z_]+)=\"([^\"]*)\"\\s*(,|$)");

    public static Optional<PayV3Authorization> parse(String header) {
        if (header == null || !header.startsWith(PayV3Signer.SCHEMA + " ")) {
            return Optional.empty();
        }
        String params = header.substring(PayV3Signer.SCHEMA.length() + 1);
        Map<String, String> values = new HashMap<>();
        Matcher m = PARAM.matcher(params);
        int at = 0;
        while (at < params.length()) {
            if (!m.find(at) || m.start() != at) {
                return Optional.empty();
            }
            values.put(m.group(1), m.group(2));
            at = m.end();
        }
        PayV3Authorization auth = new PayV3Authorization(values.get("mchid"), values.get("nonce_str"),
                values.get("timestamp"), values.get("serial_no"), values.get("signature"));
        return auth.complete() ? Optional.of(auth) : Optional.empty();
    }

    private boolean complete() {
        return mchid != null && nonce != null && timestamp != null && serialNo != null && signature != null
                && timestamp.matches("[0-9]{1,12}");
    }

    /** True when the signature is the merchant's over this request. */
    public boolean signs(PublicKey merchantKey, String method, String pathAndQuery, String body) {
        return PayV3Verifier.verifies(merchantKey,
                PayV3Signer.message(method, pathAndQuery, timestamp, nonce, body == null ? "" : body), signature);
    }
}
