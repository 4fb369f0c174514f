package io.wxgate.sandbox.miniapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.sandbox.SandboxApplication;
import io.wxgate.testing.EmbeddedServers;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.UserDataCipher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sandbox's mini-program side over real HTTP, as a WeChat client library and a phone would use it. */
class SandboxMiniappTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
            .responseTimeout(Duration.ofSeconds(10)).build();

    private String login(String openid) {
        Map<String, Object> body = openid == null ? Map.of("appid", TestWorld.APPID) : Map.of("appid", TestWorld.APPID, "openid", openid);
        return sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
    }

    private JsonNode jscode2session(String code, String secret) {
        String text = sandbox.get().uri(u -> u.path("/sns/jscode2session").queryParam("appid", TestWorld.APPID)
                        .queryParam("secret", secret).queryParam("js_code", code)
                        .queryParam("grant_type", "authorization_code").build())
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return JSON.readTree(text);
    }

    @Test
    void aCodeExchangesOnceForOpenidAndSessionKey() {
        String code = login(null);
        JsonNode first = jscode2session(code, TestWorld.SECRET);
        assertThat(first.get("openid").asString()).startsWith("o").hasSize(28);
        assertThat(java.util.Base64.getDecoder().decode(first.get("session_key").asString())).hasSize(16);
        assertThat(first.has("errcode")).isFalse();

        JsonNode second = jscode2session(code, TestWorld.SECRET);
        assertThat(second.get("errcode").asInt()).isEqualTo(40163);
    }

    @Test
    void manyPhonesLogInAtOnceEachWithItsOwnUserAndCode() {
        JsonNode logins = sandbox.post().uri("/sandbox/wx/logins").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "count", 3)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("logins");
        assertThat(logins.size()).isEqualTo(3);
        java.util.Set<String> openids = new java.util.HashSet<>();
        for (JsonNode login : logins) {
            JsonNode session = jscode2session(login.get("code").asString(), TestWorld.SECRET);
            assertThat(session.get("openid").asString()).isEqualTo(login.get("openid").asString());
            openids.add(login.get("openid").asString());
        }
        assertThat(openids).hasSize(3);

        for (Map<String, Object> bad : List.of(Map.<String, Object>of("appid", TestWorld.APPID, "count", 0),
                Map.<String, Object>of("appid", TestWorld.APPID, "count", 10_001),
                Map.<String, Object>of("appid", "wx0000000000000000", "count", 1))) {
            sandbox.post().uri("/sandbox/wx/logins").contentType(MediaType.APPLICATION_JSON).bodyValue(bad)
                    .exchange().expectStatus().isBadRequest().expectBody(String.class)
                    .value(body -> assertThat(body).contains("login:fail"));
        }
    }

    @Test
    void everyLoginGetsAFreshSessionKeyForTheSameUser() {
        JsonNode a = jscode2session(login(null), TestWorld.SECRET);
        JsonNode b = jscode2session(login(a.get("openid").asString()), TestWorld.SECRET);
        assertThat(b.get("openid").asString()).isEqualTo(a.get("openid").asString());
        assertThat(b.get("session_key").asString()).isNotEqualTo(a.get("session_key").asString());
    }

    @Test
    void unknownCodeWrongSecretAndUnknownAppGetWeChatsErrcodes() {
        assertThat(jscode2session("no-such-code", TestWorld.SECRET).get("errcode").asInt()).isEqualTo(40029);
        assertThat(jscode2session(login(null), "wrong-secret").get("errcode").asInt()).isEqualTo(40125);
        String text = sandbox.get().uri("/sns/jscode2session?appid=wx0000000000000000&secret=x&js_code=y&grant_type=authorization_code")
                .exchange().expectBody(String.class).returnResult().getResponseBody();
        assertThat(JSON.readTree(text).get("errcode").asInt()).isEqualTo(40013);
    }

    @Test
    void aCodeCanBeAskedToFailWithAGivenErrcode() {
        String code = sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "errcode", 40226)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
        assertThat(jscode2session(code, TestWorld.SECRET).get("errcode").asInt()).isEqualTo(40226);
    }

    @Test
    void accessTokenIsIssuedForTheRightSecretOnly() {
        String ok = sandbox.get().uri("/cgi-bin/token?grant_type=client_credential&appid=" + TestWorld.APPID + "&secret=" + TestWorld.SECRET)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(JSON.readTree(ok).get("access_token").asString()).hasSize(64);
        assertThat(JSON.readTree(ok).get("expires_in").asInt()).isEqualTo(7200);
        String bad = sandbox.get().uri("/cgi-bin/token?grant_type=client_credential&appid=" + TestWorld.APPID + "&secret=nope")
                .exchange().expectBody(String.class).returnResult().getResponseBody();
        assertThat(JSON.readTree(bad).get("errcode").asInt()).isEqualTo(40125);
    }

    @Test
    void userInfoIsEncryptedAndSignedWithTheCurrentSessionKey() {
        JsonNode session = jscode2session(login(null), TestWorld.SECRET);
        String openid = session.get("openid").asString();
        String sessionKey = session.get("session_key").asString();
        JsonNode info = sandbox.post().uri("/sandbox/wx/userinfo").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", openid)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        String rawData = info.get("rawData").asString();
        assertThat(UserDataCipher.rawDataSignatureMatches(rawData, info.get("signature").asString(), sessionKey)).isTrue();
        JsonNode plain = JSON.readTree(UserDataCipher.decrypt(sessionKey, info.get("encryptedData").asString(), info.get("iv").asString()));
        assertThat(plain.get("openId").asString()).isEqualTo(openid);
        assertThat(plain.get("nickName").asString()).isEqualTo("沙盒用户🐼");
        assertThat(plain.get("watermark").get("appid").asString()).isEqualTo(TestWorld.APPID);
    }

    @Test
    void phoneNumberIsEncryptedWithTheCurrentSessionKey() {
        JsonNode session = jscode2session(login(null), TestWorld.SECRET);
        JsonNode phone = sandbox.post().uri("/sandbox/wx/phonenumber").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", session.get("openid").asString())).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode plain = JSON.readTree(UserDataCipher.decrypt(session.get("session_key").asString(),
                phone.get("encryptedData").asString(), phone.get("iv").asString()));
        assertThat(plain.get("purePhoneNumber").asString()).matches("138\\d{8}");
        assertThat(plain.get("countryCode").asString()).isEqualTo("86");
    }

    @Test
    void userInfoBeforeAnyLoginIsRefused() {
        sandbox.post().uri("/sandbox/wx/userinfo").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", "oNeverLoggedIn000000000000000")).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errMsg").value(m -> assertThat((String) m).startsWith("getUserInfo:fail"));
    }

    @Test
    void codesExpireLikeWeChats() throws InterruptedException {
        int port = EmbeddedServers.freePort();
        Map<String, Object> props = new java.util.HashMap<>(TestWorld.sandboxProperties(port, 1));
        props.put("sandbox.code-ttl", "300ms");
        try (ConfigurableApplicationContext shortLived = SandboxApplication.start(props)) {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            String code = client.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("appid", TestWorld.APPID)).exchange().expectBody(JsonNode.class)
                    .returnResult().getResponseBody().get("code").asString();
            Thread.sleep(600);
            String text = client.get().uri("/sns/jscode2session?appid=" + TestWorld.APPID + "&secret=" + TestWorld.SECRET
                    + "&js_code=" + code + "&grant_type=authorization_code").exchange()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(JSON.readTree(text).get("errcode").asInt()).isEqualTo(40029);
        }
    }

    @Test
    void aConfiguredUserHasTheirUnionidProfileAndPhoneNumber() {
        JsonNode session = jscode2session(login(TestWorld.CONFIGURED_OPENID), TestWorld.SECRET);
        assertThat(session.get("unionid").asString()).isEqualTo("oUnionConfiguredTestUser0001");
        String sessionKey = session.get("session_key").asString();

        JsonNode info = sandbox.post().uri("/sandbox/wx/userinfo").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", TestWorld.CONFIGURED_OPENID)).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode plain = JSON.readTree(UserDataCipher.decrypt(sessionKey, info.get("encryptedData").asString(), info.get("iv").asString()));
        assertThat(plain.get("nickName").asString()).isEqualTo("配置的用户🌸");
        assertThat(plain.get("gender").asInt()).isEqualTo(2);
        assertThat(plain.get("city").asString()).isEqualTo("Hangzhou");
        assertThat(plain.get("unionId").asString()).isEqualTo("oUnionConfiguredTestUser0001");

        JsonNode phone = sandbox.post().uri("/sandbox/wx/phonenumber").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", TestWorld.CONFIGURED_OPENID)).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode number = JSON.readTree(UserDataCipher.decrypt(sessionKey, phone.get("encryptedData").asString(), phone.get("iv").asString()));
        assertThat(number.get("purePhoneNumber").asString()).isEqualTo("13912345678");
    }

    @Test
    void theShippedSandboxConfigurationHasADemoUser() {
        int port = EmbeddedServers.freePort();
        try (ConfigurableApplicationContext standalone = SandboxApplication.start(Map.of("server.port", port))) {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            String code = client.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("appid", "wx5ca7b1e1d1b0a001", "openid", "oSandboxDemoUser000000000001")).exchange()
                    .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
            String text = client.get().uri("/sns/jscode2session?appid=wx5ca7b1e1d1b0a001&secret=sandbox-secret-change-me&js_code="
                    + code + "&grant_type=authorization_code").exchange().expectBody(String.class).returnResult().getResponseBody();
            assertThat(JSON.readTree(text).get("unionid").asString()).isEqualTo("oUnionSandboxDemoUser0000001");
        }
    }
}
