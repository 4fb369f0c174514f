package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxgate.login.MiniappProperties;
import io.wxgate.login.WechatFailed;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** getuserphonenumber's replies as WeChat writes them, read without a network: countryCode either way, watermark checked. */
class PhoneNumberClientTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String APPID = "wx5ca7b1e1d1b0a001";

    private final PhoneNumberClient client = new PhoneNumberClient(null, null, JSON,
            new MiniappProperties(APPID, "secret", URI.create("http://127.0.0.1:1"), Duration.ofSeconds(1), Duration.ofSeconds(1),
                    MiniappProperties.Breaker.DEFAULTS, io.wxgate.overload.GateSettings.DEFAULTS));

    private static String reply(String countryCode, String appid) {
        return "{\"errcode\":0,\"errmsg\":\"ok\",\"phone_info\":{\"phoneNumber\":\"13580006666\",\"purePhoneNumber\":\"13580006666\","
                + "\"countryCode\":" + countryCode + ",\"watermark\":{\"timestamp\":1637744274,\"appid\":\"" + appid + "\"}}}";
    }

    @Test
    void countryCodeMayBeANumberAsInWechatsDocsOrAString() {
        assertThat(client.interpret(JSON.readTree(reply("86", APPID))).countryCode()).isEqualTo("86");
        assertThat(client.interpret(JSON.readTree(reply("\"86\"", APPID))).countryCode()).isEqualTo("86");
        assertThat(client.interpret(JSON.readTree(reply("86", APPID))).purePhoneNumber()).isEqualTo("13580006666");
    }

    @Test
    void aPhoneNumberWatermarkedForAnotherMiniProgramIsNotAccepted() {
        assertThatThrownBy(() -> client.interpret(JSON.readTree(reply("86", "wx0000000000000000"))))
                .isInstanceOf(PhoneNumberClient.PhoneCodeErrors.ForeignWatermark.class);
    }

    @Test
    void errcodesAndMalformedPhoneInfoAreClearErrors() {
        assertThatThrownBy(() -> client.interpret(JSON.readTree("{\"errcode\":40029,\"errmsg\":\"invalid code\"}")))
                .isInstanceOf(PhoneNumberClient.PhoneCodeErrors.InvalidCode.class);
        assertThatThrownBy(() -> client.interpret(JSON.readTree("{\"errcode\":45011,\"errmsg\":\"limit\"}")))
                .isInstanceOf(PhoneNumberClient.PhoneCodeErrors.RateLimited.class);
        assertThatThrownBy(() -> client.interpret(JSON.readTree("{\"errcode\":0,\"phone_info\":{\"phoneNumber\":\"x\"}}")))
                .isInstanceOf(WechatFailed.class);
        assertThatThrownBy(() -> client.interpret(JSON.readTree("{\"errcode\":0}")))
                .isInstanceOf(WechatFailed.class);
    }
}
