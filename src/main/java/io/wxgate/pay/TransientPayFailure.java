package io.wxgate.pay;

/**
 * One call to WeChat Pay failed in a way that a retry with the same fields may fix. Never leaves
 * {@link WechatPayClient}: after the last retry it becomes {@link WechatPayTimeout} or {@link WechatPayUnavailable}.
 */
final class TransientPayFailure extends RuntimeException {

    enum Kind { TIMEOUT, CONNECT, HTTP_5XX, SYSTEMERROR }

    private final Kind kind;

    TransientPayFailure(Kind kind, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
