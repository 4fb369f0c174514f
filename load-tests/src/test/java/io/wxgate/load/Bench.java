package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.http.Http;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the benchmark simulations ({@code load-tests/run.sh}) share: the purchase as one chain, WeChat's latency,
 * and the request names. A user refused with 503 and {@code Retry-After} waits that long before it leaves. A request whose name ends in {@code (sandbox)} goes to the sandbox (the phone or WeChat);
 * every other one goes to the gateway, which is how the report counts the gateway's requests.
 */
final class Bench {

    static final String SANDBOX_SUFFIX = " (sandbox)";
    private static final boolean WAIT_OUT_REFUSALS = Boolean.parseBoolean(System.getProperty("waitOutRefusals", "true"));

    private Bench() {
    }

    static HttpProtocolBuilder protocol() {
        return http.contentTypeHeader("application/json").acceptHeader("application/json").disableWarmUp();
    }

    /** WeChat's answer time for this run, in ms: jscode2session (login {@code delayMs}) and every {@code /pay/*} call. */
    static int wechatMs() {
        return Targets.intProperty("wechatMs", 0);
    }

    /** A seconds-long property, never below one second. */
    static Duration seconds(String name, int fallback) {
        return Duration.ofSeconds(Math.max(1, Targets.intProperty(name, fallback)));
    }

    static Iterator<Map<String, Object>> newOpenids() {
        return Stream.generate((Supplier<Map<String, Object>>) () ->
                Map.of("openid", "oBench" + UUID.randomUUID().toString().replace("-", "").substring(0, 22))).iterator();
    }

    /** wx.login on the phone (a code whose jscode2session answers after {@code wechatMs}), then the seed's POST /login/. */
    static ChainBuilder login(int wechatMs) {
        return exec(timed("wx.login" + SANDBOX_SUFFIX, h -> h.post(Targets.SANDBOX + "/sandbox/wx/login")
                        .body(StringBody("{\"appid\":\"" + Targets.APPID + "\",\"openid\":\"#{openid}\",\"delayMs\":" + wechatMs + "}")),
                        status().is(200), jsonPath("$.code").saveAs("code")))
                .exec(gatewayLogin());
    }

    /** The seed's POST /login/ with the phone's {@code code}. */
    static ChainBuilder gatewayLogin() {
        return timed("POST /login/", h -> h.post(Targets.GATEWAY + "/login/").body(StringBody("{\"code\":\"#{code}\"}")),
                status().is(200), jsonPath("$.data.token").saveAs("token"));
    }

    /** wx.getUserInfo on the phone: encryptedData and iv under the user's session_key. */
    static ChainBuilder userInfo() {
        return exec(timed("wx.getUserInfo" + SANDBOX_SUFFIX, h -> h.post(Targets.SANDBOX + "/sandbox/wx/userinfo")
                        .body(StringBody("{\"appid\":\"" + Targets.APPID + "\",\"openid\":\"#{openid}\"}")),
                status().is(200), jsonPath("$.encryptedData").saveAs("encryptedData"), jsonPath("$.iv").saveAs("iv")));
    }

    static ChainBuilder getInfo() {
        return exec(timed("POST /getinfo/", h -> h.post(Targets.GATEWAY + "/getinfo/")
                        .body(StringBody("{\"iv\":\"#{iv}\",\"encryptedData\":\"#{encryptedData}\",\"token\":\"#{token}\"}")),
                status().is(200), jsonPath("$.data.name").exists()));
    }

    /**
     * The seed client's whole purchase for a new user: wx.login -> POST /login/ -> wx.getUserInfo -> POST /getinfo/
     * -> POST /pay/ -> wx.requestPayment, which makes the sandbox send its signed notify to the gateway. One
     * completed {@code wx.requestPayment (sandbox)} is one purchase.
     */
    static ChainBuilder purchase(int wechatMs) {
        return feed(newOpenids()).exec(login(wechatMs)).exec(afterLogin());
    }

    /** The same purchase for users whose wx.login was done ahead ({@link PhoneLogins}): from POST /login/ on. */
    static ChainBuilder purchaseLoggedIn(java.util.Iterator<Map<String, Object>> phoneLogins) {
        return feed(phoneLogins).exec(gatewayLogin()).exec(afterLogin());
    }

    private static ChainBuilder afterLogin() {
        return exec(userInfo())
                .exec(getInfo())
                .exec(timed("POST /pay/", h -> h.post(Targets.GATEWAY + "/pay/").body(StringBody("{\"money\":1,\"token\":\"#{token}\"}")),
                        status().is(200),
                        jsonPath("$.data.timeStamp").saveAs("timeStamp"),
                        jsonPath("$.data.nonceStr").saveAs("nonceStr"),
                        jsonPath("$.data.package").saveAs("package"),
                        jsonPath("$.data.signType").saveAs("signType"),
                        jsonPath("$.data.paySign").saveAs("paySign")))
                .exec(timed("wx.requestPayment" + SANDBOX_SUFFIX, h -> h.post(Targets.SANDBOX + "/sandbox/wx/requestPayment")
                                .body(StringBody("{\"timeStamp\":\"#{timeStamp}\",\"nonceStr\":\"#{nonceStr}\",\"package\":\"#{package}\","
                                        + "\"signType\":\"#{signType}\",\"paySign\":\"#{paySign}\"}")),
                        status().is(200)));
    }

    /**
     * A request with its checks, ending the user's journey when it fails (a purchase whose login failed does not
     * go on to pay), and, when {@link Timeline} is recording, with its outcome.
     */
    static ChainBuilder timed(String name, Function<Http, HttpRequestActionBuilder> request, CheckBuilder... checks) {
        return timed(true, name, request, checks);
    }

    /** The same for a request repeated in a loop: a failure is recorded, and the user goes on with the next one. */
    static ChainBuilder timedInLoop(String name, Function<Http, HttpRequestActionBuilder> request, CheckBuilder... checks) {
        return timed(false, name, request, checks);
    }

    private static ChainBuilder timed(boolean exitOnFailure, String name, Function<Http, HttpRequestActionBuilder> request,
                                      CheckBuilder... checks) {
        // the status (and a Retry-After) is saved first, so it is known even when a later check fails
        CheckBuilder[] all = new CheckBuilder[checks.length + 2];
        all[0] = status().saveAs("status");
        all[1] = header("Retry-After").optional().saveAs("retryAfter");
        System.arraycopy(checks, 0, all, 2, checks.length);
        ChainBuilder chain = exec(session -> session.set("startedAt", System.currentTimeMillis()).remove("status")
                        .remove("retryAfter"))
                .exec(request.apply(http(name)).check(all))
                .exec(session -> {
                    Timeline.record(name, session.getLong("startedAt"), System.currentTimeMillis(),
                            session.contains("status") ? session.getInt("status") : 0, !session.isFailed());
                    return exitOnFailure ? session : session.markAsSucceeded();
                });
        if (!exitOnFailure) {
            return chain;
        }
        // told to come back later (503 + Retry-After), a user waits that long before leaving, as the mini-program's
        // user does; in a closed model it is only then replaced by a new one. The refusal still counts as an error.
        // An open model's arrivals do not depend on who left, so there (-DwaitOutRefusals=false) a refused user
        // leaves at once rather than hold a connection open for nothing.
        if (!WAIT_OUT_REFUSALS) {
            return chain.exitHereIfFailed();
        }
        return chain.doIf(session -> session.isFailed() && session.contains("retryAfter"))
                .then(pause(session -> retryAfter(session.getString("retryAfter"))))
                .exitHereIfFailed();
    }

    /** A Retry-After in seconds, between 1 and 30 s. */
    static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Math.min(30, Long.parseLong(header.trim()))));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }

    /** Sets the sandbox's WeChat Pay latency for a run (PUT /sandbox/faults); {@link #resetWechat()} undoes it. */
    static void wechatPayLatency(int ms) {
        if (ms > 0) {
            SandboxFaults.put("{\"latencyMs\":" + ms + "}");
        }
    }

    static void resetWechat() {
        SandboxFaults.reset();
    }

    /** Polls the gateway's readiness probe (50 ms apart, at most {@code limit}) so a run can start the moment it is ready. */
    static void awaitReady(Duration limit) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(Targets.MANAGEMENT + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("the gateway at " + Targets.GATEWAY + " was not ready within " + limit);
    }
}
