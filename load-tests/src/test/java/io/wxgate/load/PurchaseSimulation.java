package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The seed client's whole purchase, as many mini-program users at once: wx.login (sandbox) -> POST /login/
 * -> wx.getUserInfo (sandbox) -> POST /getinfo/ -> POST /pay/ -> wx.requestPayment (sandbox), which makes the
 * sandbox send the signed notify to the gateway. Bounded: ramps for {@code rampSeconds}, holds {@code rate}
 * new users per second for {@code holdSeconds}, then stops by itself.
 * With {@code -DnotifyCopies=5 -DreorderNotifies=true -DpayLatencyMs=50} the sandbox's WeChat Pay misbehaves
 * for the run (every notify sent 5 times at once, in shuffled order; replies 50 ms slower), reset afterwards.
 */
public class PurchaseSimulation extends Simulation {

    private final int rate = Targets.intProperty("rate", 40);
    private final int rampSeconds = Targets.intProperty("rampSeconds", 10);
    private final int holdSeconds = Targets.intProperty("holdSeconds", 60);

    private final Iterator<Map<String, Object>> openids = Stream.generate((Supplier<Map<String, Object>>) () ->
            Map.of("openid", "oLoad" + UUID.randomUUID().toString().replace("-", "").substring(0, 23))).iterator();

    private final HttpProtocolBuilder protocol = http
            .contentTypeHeader("application/json")
            .acceptHeader("application/json")
            .disableWarmUp();

    private final ScenarioBuilder purchase = scenario("purchase")
            .feed(openids)
            .exec(http("wx.login (sandbox)").post(Targets.SANDBOX + "/sandbox/wx/login")
                    .body(StringBody("{\"appid\":\"" + Targets.APPID + "\",\"openid\":\"#{openid}\"}"))
                    .check(status().is(200), jsonPath("$.code").saveAs("code")))
            .exec(http("POST /login/").post(Targets.GATEWAY + "/login/")
                    .body(StringBody("{\"code\":\"#{code}\"}"))
                    .check(status().is(200), jsonPath("$.data.token").saveAs("token")))
            .exec(http("wx.getUserInfo (sandbox)").post(Targets.SANDBOX + "/sandbox/wx/userinfo")
                    .body(StringBody("{\"appid\":\"" + Targets.APPID + "\",\"openid\":\"#{openid}\"}"))
                    .check(status().is(200), jsonPath("$.encryptedData").saveAs("encryptedData"), jsonPath("$.iv").saveAs("iv")))
            .exec(http("POST /getinfo/").post(Targets.GATEWAY + "/getinfo/")
                    .body(StringBody("{\"iv\":\"#{iv}\",\"encryptedData\":\"#{encryptedData}\",\"token\":\"#{token}\"}"))
                    .check(status().is(200), jsonPath("$.data.name").exists()))
            .exec(http("POST /pay/").post(Targets.GATEWAY + "/pay/")
                    .body(StringBody("{\"money\":1,\"token\":\"#{token}\"}"))
                    .check(status().is(200),
                            jsonPath("$.data.timeStamp").saveAs("timeStamp"),
                            jsonPath("$.data.nonceStr").saveAs("nonceStr"),
                            jsonPath("$.data.package").saveAs("package"),
                            jsonPath("$.data.signType").saveAs("signType"),
                            jsonPath("$.data.paySign").saveAs("paySign")))
            .exec(http("wx.requestPayment (sandbox)").post(Targets.SANDBOX + "/sandbox/wx/requestPayment")
                    .body(StringBody("{\"timeStamp\":\"#{timeStamp}\",\"nonceStr\":\"#{nonceStr}\",\"package\":\"#{package}\","
                            + "\"signType\":\"#{signType}\",\"paySign\":\"#{paySign}\"}"))
                    .check(status().is(200)));

    private final int notifyCopies = Targets.intProperty("notifyCopies", 1);
    private final boolean reorderNotifies = Boolean.getBoolean("reorderNotifies");
    private final int payLatencyMs = Targets.intProperty("payLatencyMs", 0);
    private final boolean faults = notifyCopies > 1 || reorderNotifies || payLatencyMs > 0;

    @Override
    public void before() {
        if (faults) {
            SandboxFaults.put("{\"notifyCopies\":" + notifyCopies + ",\"reorderNotifies\":" + reorderNotifies
                    + ",\"latencyMs\":" + payLatencyMs + "}");
        }
    }

    @Override
    public void after() {
        if (faults) {
            SandboxFaults.reset();
        }
    }

    {
        setUp(purchase.injectOpen(
                rampUsersPerSec(1).to(rate).during(Duration.ofSeconds(rampSeconds)),
                constantUsersPerSec(rate).during(Duration.ofSeconds(holdSeconds))))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(rampSeconds + holdSeconds + 60))
                .assertions(
                        global().failedRequests().percent().lt(1.0),
                        details("POST /login/").responseTime().percentile(99.0).lt(1000),
                        details("POST /pay/").responseTime().percentile(99.0).lt(1000));
    }
}
