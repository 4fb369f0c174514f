package io.wxgate.login;

import io.wxgate.sandbox.miniapp.MiniappWorld;
import io.wxgate.testing.TestWorld;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * A mini-program user for integration tests: the phone's side is the sandbox's {@code /sandbox/wx/*},
 * the backend's side is the gateway's seed and versioned routes, and {@link #row()} reads the user's
 * wx_user row straight from MariaDB over JDBC.
 */
public final class SandboxPhone {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String openid;
    private final WebTestClient sandbox;
    private final WebTestClient gateway;

    private SandboxPhone(String openid) {
        this(openid, TestWorld.get().gatewayUrl());
    }

    private SandboxPhone(String openid, String gatewayUrl) {
        this.openid = openid;
        this.sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl()).responseTimeout(Duration.ofSeconds(20)).build();
        this.gateway = WebTestClient.bindToServer().baseUrl(gatewayUrl).responseTimeout(Duration.ofSeconds(20)).build();
    }

    /** A new user whose mini-program talks to the gateway at {@code gatewayUrl} instead of the shared one. */
    public static SandboxPhone newUser(String gatewayUrl) {
        return new SandboxPhone(newUser().openid(), gatewayUrl);
    }

    /** A user WeChat has never seen, with a fresh random openid. */
    public static SandboxPhone newUser() {
        StringBuilder id = new StringBuilder("oTst");
        for (int i = 0; i < 24; i++) {
            id.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
        }
        return new SandboxPhone(id.toString());
    }

    public String openid() {
        return openid;
    }

    /** wx.login: a fresh code; {@code extra} may ask the sandbox for an errcode, a unionid or a delay. */
    public String wxLogin(Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("appid", TestWorld.APPID);
        body.put("openid", openid);
        return sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
    }

    public String wxLogin() {
        return wxLogin(Map.of());
    }

    /** app.js: wx.login, then POST /login/ {code}, then wx.setStorageSync('token', e.data.data.token). */
    public String seedLogin() {
        JsonNode reply = gateway.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", wxLogin())).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return reply.get("data").get("token").asString();
    }

    /** The versioned login: POST /api/v1/sessions {code}. */
    public String apiLogin() {
        JsonNode reply = gateway.post().uri("/api/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", wxLogin())).exchange().expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return reply.get("token").asString();
    }

    /** wx.getUserInfo: {rawData, signature, encryptedData, iv, userInfo}, sealed with the current session_key. */
    public JsonNode wxGetUserInfo(Map<String, Object> profile) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("appid", TestWorld.APPID);
        body.put("openid", openid);
        if (profile != null) {
            body.put("userInfo", profile);
        }
        return sandbox.post().uri("/sandbox/wx/userinfo").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    public JsonNode wxGetUserInfo() {
        return wxGetUserInfo(null);
    }

    /** The getPhoneNumber button: {encryptedData, iv}. */
    public JsonNode wxGetPhoneNumber() {
        return sandbox.post().uri("/sandbox/wx/phonenumber").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", openid))
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** Today's getPhoneNumber button: a one-time code; {@code extra} may ask for an errcode or another appid. */
    public String wxGetPhoneCode(Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("appid", TestWorld.APPID);
        body.put("openid", openid);
        body.putAll(extra);
        return sandbox.post().uri("/sandbox/wx/getPhoneNumber").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
    }

    public String wxGetPhoneCode() {
        return wxGetPhoneCode(Map.of());
    }

    /** The user's current session_key as "WeChat" knows it, to seal test data or to look for leaks. */
    public String sessionKey() {
        return TestWorld.get().sandboxContext().getBean(MiniappWorld.class)
                .user(TestWorld.APPID, openid).orElseThrow().sessionKey();
    }

    /** The user's wx_user row, column by column, or null when there is none. */
    public Map<String, Object> row() {
        try (Connection c = DriverManager.getConnection(TestWorld.get().servers().jdbcUrl(), "root", "");
             PreparedStatement s = c.prepareStatement("SELECT * FROM wx_user WHERE openid = ?")) {
            s.setString(1, openid);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                ResultSetMetaData meta = rs.getMetaData();
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many wx_user rows carry this openid (the upsert must never make two). */
    public int rowCount() {
        try (Connection c = DriverManager.getConnection(TestWorld.get().servers().jdbcUrl(), "root", "");
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM wx_user WHERE openid = ?")) {
            s.setString(1, openid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
