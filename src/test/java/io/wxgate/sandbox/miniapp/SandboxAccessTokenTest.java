package io.wxgate.sandbox.miniapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox's access tokens over real HTTP, with WeChat's rules, for the second sandbox app (so that the gateway's
 * own token is left alone): stable_token, /cgi-bin/token, and the checks every call with a token goes through.
 */
class SandboxAccessTokenTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String APPID = TestWorld.OTHER_APPID;
    private static final String SECRET = "other-sandbox-secret-for-tests-only";

    private final WebTestClient sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
            .responseTimeout(Duration.ofSeconds(10)).build();

    private JsonNode stableToken(boolean forceRefresh, String secret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "client_credential");
        body.put("appid", APPID);
        body.put("secret", secret);
        body.put("force_refresh", forceRefresh);
        return JSON.readTree(sandbox.post().uri("/cgi-bin/stable_token").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private JsonNode classicToken() {
        return JSON.readTree(sandbox.get().uri("/cgi-bin/token?grant_type=client_credential&appid=" + APPID + "&secret=" + SECRET)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    /** The errcode a call made with this token gets (a made-up phone code: 40029 means the token itself passed). */
    private int callWith(String token) {
        String reply = sandbox.post().uri("/wxa/business/getuserphonenumber?access_token=" + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("code", "no-such-phone-code"))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return JSON.readTree(reply).get("errcode").asInt();
    }

    private void control(String action) {
        sandbox.post().uri("/sandbox/access-tokens/" + action).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID)).exchange().expectStatus().isOk();
    }

    @Test
    void stableTokenIsTheSameWhileValidAndForceRefreshEndsItAtOnce() {
        JsonNode first = stableToken(false, SECRET);
        JsonNode again = stableToken(false, SECRET);
        assertThat(again.get("access_token").asString()).isEqualTo(first.get("access_token").asString());
        assertThat(first.get("expires_in").asLong()).isBetween(1L, 7200L);
        assertThat(callWith(first.get("access_token").asString())).isEqualTo(40029);

        JsonNode forced = stableToken(true, SECRET);
        assertThat(forced.get("access_token").asString()).isNotEqualTo(first.get("access_token").asString());
        assertThat(callWith(first.get("access_token").asString())).isEqualTo(40001);
        assertThat(callWith(forced.get("access_token").asString())).isEqualTo(40029);
        // a second forced refresh within 30 s refreshes nothing, as WeChat does
        assertThat(stableToken(true, SECRET).get("access_token").asString()).isEqualTo(forced.get("access_token").asString());
    }

    @Test
    void classicTokenReplacesThePreviousWhichKeepsWorkingForFiveMinutes() {
        String first = classicToken().get("access_token").asString();
        String second = classicToken().get("access_token").asString();

        assertThat(second).isNotEqualTo(first);
        assertThat(callWith(first)).isEqualTo(40029); // still inside its five-minute overlap
        assertThat(callWith(second)).isEqualTo(40029);
        // independent of the stable token
        String stable = stableToken(false, SECRET).get("access_token").asString();
        assertThat(stable).isNotIn(first, second);
        assertThat(callWith(stable)).isEqualTo(40029);
    }

    @Test
    void expiredTokensAnswer42001AndVoidOnes40001AndUnknownOnes40001() {
        String stable = stableToken(false, SECRET).get("access_token").asString();
        control("expire");
        assertThat(callWith(stable)).isEqualTo(42001);
        String renewed = stableToken(false, SECRET).get("access_token").asString();
        assertThat(renewed).isNotEqualTo(stable);
        assertThat(callWith(renewed)).isEqualTo(40029);

        control("invalidate");
        assertThat(callWith(renewed)).isEqualTo(40001);
        assertThat(callWith("made-up-token")).isEqualTo(40001);
        assertThat(callWith(stableToken(false, SECRET).get("access_token").asString())).isEqualTo(40029);
    }

    @Test
    void wrongAppidOrSecretIsRefusedWithWechatsErrcodes() {
        assertThat(stableToken(false, "wrong").get("errcode").asInt()).isEqualTo(40125);
        String unknownApp = sandbox.post().uri("/cgi-bin/stable_token").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("grant_type", "client_credential", "appid", "wx0000000000000000", "secret", SECRET))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(JSON.readTree(unknownApp).get("errcode").asInt()).isEqualTo(40013);
    }

    @Test
    void phoneCodesAreSingleUseAndBoundToTheirApp() {
        String code = sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
        assertThat(code).isNotBlank();
        String openid = "oOtherAppPhoneUser0000000001";
        sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID, "openid", openid)).exchange().expectStatus().isOk();
        String phoneCode = sandbox.post().uri("/sandbox/wx/getPhoneNumber").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID, "openid", openid)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
        String token = stableToken(false, SECRET).get("access_token").asString();

        JsonNode reply = JSON.readTree(sandbox.post().uri("/wxa/business/getuserphonenumber?access_token=" + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("code", phoneCode))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(reply.get("errcode").asInt()).isZero();
        JsonNode phone = reply.get("phone_info");
        assertThat(phone.get("purePhoneNumber").asString()).matches("138\\d{8}");
        assertThat(phone.get("countryCode").isNumber()).isTrue();
        assertThat(phone.get("watermark").get("appid").asString()).isEqualTo(APPID);

        JsonNode used = JSON.readTree(sandbox.post().uri("/wxa/business/getuserphonenumber?access_token=" + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("code", phoneCode))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(used.get("errcode").asInt()).isEqualTo(40029);
    }

    @Test
    void checksessionAndResetusersessionkeyTakeTheHmacOfTheSessionKey() {
        String openid = "oOtherAppCheckSessionUser001";
        String code = sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID, "openid", openid)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
        String sessionKey = JSON.readTree(sandbox.get().uri("/sns/jscode2session?appid=" + APPID + "&secret=" + SECRET
                        + "&js_code=" + code + "&grant_type=authorization_code")
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody()).get("session_key").asString();
        String token = stableToken(false, SECRET).get("access_token").asString();

        assertThat(sessionCall("checksession", token, openid, io.wxgate.wechat.SessionKeySignature.of(sessionKey)).get("errcode").asInt()).isZero();
        assertThat(sessionCall("checksession", token, openid, "0".repeat(64)).get("errcode").asInt()).isEqualTo(87009);

        JsonNode reset = sessionCall("resetusersessionkey", token, openid, io.wxgate.wechat.SessionKeySignature.of(sessionKey));
        String newKey = reset.get("session_key").asString();
        assertThat(newKey).isNotEqualTo(sessionKey);
        assertThat(sessionCall("checksession", token, openid, io.wxgate.wechat.SessionKeySignature.of(sessionKey)).get("errcode").asInt()).isEqualTo(87009);
        assertThat(sessionCall("checksession", token, openid, io.wxgate.wechat.SessionKeySignature.of(newKey)).get("errcode").asInt()).isZero();
        assertThat(sessionCall("checksession", "void-token", openid, io.wxgate.wechat.SessionKeySignature.of(newKey)).get("errcode").asInt()).isEqualTo(40001);
    }

    private JsonNode sessionCall(String api, String token, String openid, String signature) {
        return JSON.readTree(sandbox.get().uri("/wxa/" + api + "?access_token=" + token + "&openid=" + openid
                        + "&signature=" + signature + "&sig_method=hmac_sha256")
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }
}
