package io.wxgate.sandbox.pay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import io.wxgate.sandbox.SandboxRandom;
import org.springframework.stereotype.Component;

/** WeChat Pay's identifiers and times: prepay_id, transaction_id, nonce_str, time_end. */
@Component
final class WeChatIds {

    /** WeChat Pay's times ({@code time_end}, the date inside ids) are Beijing time. */
    static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");
    static final DateTimeFormatter WECHAT_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(BEIJING);
    /** APIv3's times ({@code success_time}, {@code create_time}): RFC 3339 to the second, Beijing offset. */
    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(BEIJING);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(BEIJING);

    private final SandboxRandom random;

    WeChatIds(SandboxRandom random) {
        this.random = random;
    }

    /** {@code wx} + yyyyMMddHHmmss + 20 digits: 36 characters like WeChat's {@code wx201410272009395522657a690389285100}. */
    String prepayId(Instant now) {
        return "wx" + WECHAT_TIME.format(now) + random.digits(20);
    }

    /** 28 digits: {@code 4200000} + yyyyMMdd + 13 digits, like {@code 4200000123201811210531432413}. */
    String transactionId(Instant now) {
        return "4200000" + DAY.format(now) + random.digits(13);
    }

    /**
     * An APIv3 notify's {@code id}, UUID-shaped as WeChat's; made from the sandbox's DRBG, as {@code UUID.randomUUID}
     * may read /dev/urandom on an event loop.
     */
    String notifyId() {
        return UUID.nameUUIDFromBytes(random.base64Bytes(16).getBytes(StandardCharsets.US_ASCII)).toString();
    }

    /** 32 alphanumerics, like WeChat's {@code nonce_str}. */
    String nonce() {
        return random.alnum(32);
    }
}
