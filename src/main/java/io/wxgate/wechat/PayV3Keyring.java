package io.wxgate.wechat;

import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;

/**
 * The WeChat Pay keys a merchant trusts, by the serial WeChat puts in {@code Wechatpay-Serial}: the WeChat Pay
 * public key under its {@code PUB_KEY_ID_…}, platform certificates under their serials, or both while a merchant
 * moves from certificates to the public key.
 */
@FunctionalInterface
public interface PayV3Keyring {

    Optional<PublicKey> key(String serial);

    /** A fixed set of keys by serial (compared exactly). */
    static PayV3Keyring of(Map<String, PublicKey> keys) {
        Map<String, PublicKey> copy = Map.copyOf(keys);
        return serial -> Optional.ofNullable(serial == null ? null : copy.get(serial));
    }

    /** This keyring's keys, then the other's. */
    default PayV3Keyring or(PayV3Keyring other) {
        return serial -> key(serial).or(() -> other.key(serial));
    }
}
