package io.wxgate.pay;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.testing.TestServers;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the pay tests share: logging in through the sandbox's phone, notifies signed as WeChat signs them, and
 * reading rows straight from MariaDB over JDBC (the test's view of the truth, never the gateway's).
 */
public final class PayFixtures {

    private PayFixtures() {
    }

    /** wx.login on the sandbox's phone, then the seed's {@code POST /login/}: a fresh user's gateway token. */
    public static String login(WebTestClient gateway, WebTestClient sandbox) {
        return login(gateway, sandbox, newOpenid());
    }

    /** A fresh, unique openid of WeChat's length. */
    public static String newOpenid() {
        return "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 27);
    }

    /** The same, for a user the test names. */
    public static String login(WebTestClient gateway, WebTestClient sandbox, String openid) {
        Map<?, ?> phone = sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", TestWorld.APPID, "openid", openid))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        Map<?, ?> reply = gateway.post().uri("/login/").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", phone.get("code")))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(reply.get("status")).isEqualTo(0);
        return (String) ((Map<?, ?>) reply.get("data")).get("token");
    }

    /** POST /api/v1/pay/orders as the given user; the caller checks the answer. */
    public static WebTestClient.ResponseSpec createOrder(WebTestClient gateway, String token, String key, Object totalFee) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total_fee", totalFee);
        return gateway.post().uri("/api/v1/pay/orders")
                .header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    /** Creates a 1-fen-or-more order and returns its body (out_trade_no, payment...). */
    public static Map<String, Object> newOrder(WebTestClient gateway, String token, long totalFee) {
        @SuppressWarnings("unchecked")
        Map<String, Object> order = createOrder(gateway, token, UUID.randomUUID().toString(), totalFee)
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        return order;
    }

    /** The fields of a payment notify for this order, as WeChat sends them (unsigned yet). */
    public static Map<String, String> paidNotify(String outTradeNo, long totalFee, String transactionId) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", TestWorld.APPID);
        f.put("bank_type", "CMC");
        f.put("cash_fee", Long.toString(totalFee));
        f.put("fee_type", "CNY");
        f.put("is_subscribe", "N");
        f.put("mch_id", TestWorld.MCH_ID);
        f.put("nonce_str", UUID.randomUUID().toString().replace("-", ""));
        f.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        f.put("out_trade_no", outTradeNo);
        f.put("result_code", "SUCCESS");
        f.put("return_code", "SUCCESS");
        f.put("time_end", "20261124120000");
        f.put("total_fee", Long.toString(totalFee));
        f.put("trade_type", "JSAPI");
        f.put("transaction_id", transactionId);
        return f;
    }

    /** Signs with the merchant's key (sign_type is set in the fields when HMAC) and writes WeChat's XML. */
    public static String signed(Map<String, String> fields, SignType type) {
        Map<String, String> f = new LinkedHashMap<>(fields);
        if (type == SignType.HMAC_SHA256) {
            f.put("sign_type", type.wireName());
        }
        f.put("sign", new PaySigner(TestWorld.API_KEY).sign(f, type));
        return new PayXml().write(f);
    }

    /** The sandbox's view of an order: its trade state, transaction_id and every notify attempt. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> sandboxOrder(WebTestClient sandbox, String outTradeNo) {
        return sandbox.get().uri("/sandbox/pay/orders/{no}", outTradeNo).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    public static String transactionId() {
        return "4200" + Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits()) % 1_000_000_000_000_000L);
    }

    /** One column of the order's row, read over JDBC. */
    public static String orderColumn(String outTradeNo, String column) {
        return queryString("SELECT " + column + " FROM pay_order WHERE out_trade_no = ?", outTradeNo);
    }

    public static String queryOutTradeNo(String idempotencyKey) {
        return queryString("SELECT out_trade_no FROM pay_order WHERE idempotency_key = ?", idempotencyKey);
    }

    public static String outTradeNoByPrepayId(String prepayId) {
        return queryString("SELECT out_trade_no FROM pay_order WHERE prepay_id = ?", prepayId);
    }

    public static long notifyCount(String outTradeNo, String verdict) {
        return Long.parseLong(queryString("SELECT COUNT(*) FROM pay_notify WHERE out_trade_no = ? AND verdict = '"
                + verdict + "'", outTradeNo));
    }

    public static long count(String sql, String param) {
        return Long.parseLong(queryString(sql, param));
    }

    /** The newest audit row whose raw body contains {@code marker}. */
    public static String verdictOfBodyContaining(String marker) {
        return queryString("SELECT verdict FROM pay_notify WHERE raw_body LIKE CONCAT('%', ?, '%') ORDER BY id DESC LIMIT 1",
                marker);
    }

    /** Sets an order's trade_state behind the gateway's back, as a past close or failure would have left it. */
    public static void forceTradeState(String outTradeNo, String state) {
        forceColumn(outTradeNo, "trade_state", state);
    }

    /** Sets one column of an order behind the gateway's back ({@code column} is the test's own constant). */
    public static void forceColumn(String outTradeNo, String column, String value) {
        updateOne("UPDATE pay_order SET " + column + " = ? WHERE out_trade_no = ?", value, outTradeNo);
    }

    /** Makes an order look placed {@code minutes} ago (WeChat closes orders only after 5 minutes). */
    public static void placedMinutesAgo(String outTradeNo, int minutes) {
        updateOne("UPDATE pay_order SET created_at = created_at - INTERVAL ? MINUTE WHERE out_trade_no = ?",
                minutes, outTradeNo);
    }

    /** Makes a stored prepay_id look expired, as if its two hours had passed. */
    public static void expirePrepay(String outTradeNo) {
        updateOne("UPDATE pay_order SET prepay_expires_at = TIMESTAMP('2000-01-01') WHERE out_trade_no = ?", outTradeNo);
    }

    /** Moves the stored prepay_id's expiry to {@code seconds} from now (UTC, as the gateway stores it). */
    public static void prepayExpiresIn(String outTradeNo, int seconds) {
        updateOne("UPDATE pay_order SET prepay_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE out_trade_no = ?",
                seconds, outTradeNo);
    }

    /** One JDBC update that must change exactly one row. */
    private static void updateOne(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(TestServers.get().jdbcUrl(), "root", "");
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            assertThat(s.executeUpdate()).isEqualTo(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String queryString(String sql, String param) {
        try (Connection c = DriverManager.getConnection(TestServers.get().jdbcUrl(), "root", "");
             PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the condition holds, failing after {@code timeout}; a bounded wait, never an open-ended sleep. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
