package io.wxgate.sandbox;

import io.wxgate.wechat.RandomText;
import org.springframework.stereotype.Component;

/** The sandbox's random identifiers, shaped like WeChat's. */
@Component
public final class SandboxRandom extends RandomText {

    private static final char[] OPENID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    /** 28 characters starting with 'o', like a real openid. */
    public String openid() {
        return "o" + pick(OPENID, 27);
    }
}
