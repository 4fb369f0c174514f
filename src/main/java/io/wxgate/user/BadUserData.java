package io.wxgate.user;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** encryptedData, iv or their plaintext cannot be decoded, decrypted, unpadded or read. */
public class BadUserData extends GatewayException {
    public BadUserData(String detail) {
        super(HttpStatus.BAD_REQUEST, "bad_user_data", 3, detail);
    }
}
