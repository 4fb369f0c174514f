package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Thousands of users logging in at once while WeChat is slow: every jscode2session answer is held back
 * {@code wechatDelayMs} (the sandbox delays the codes it hands out). A gateway with a thread per request would
 * need thousands of threads; wxgate must keep answering with its few event-loop threads, each login taking
 * about the WeChat delay and not queueing behind the others. Bounded: {@code users} arrivals over
 * {@code spreadSeconds}, then it stops.
 */
public class SlowWeChatSimulation extends Simulation {

    private final int users = Targets.intProperty("users", 3000);
    private final int spreadSeconds = Targets.intProperty("spreadSeconds", 15);
    private final int wechatDelayMs = Targets.intProperty("wechatDelayMs", 3000);

    private final HttpProtocolBuilder protocol = http
            .contentTypeHeader("application/json")
            .acceptHeader("application/json")
            .disableWarmUp();

    private final ScenarioBuilder login = scenario("login while WeChat is slow")
            .exec(http("wx.login (sandbox, slow code)").post(Targets.SANDBOX + "/sandbox/wx/login")
                    .body(StringBody("{\"appid\":\"" + Targets.APPID + "\",\"delayMs\":" + wechatDelayMs + "}"))
                    .check(status().is(200), jsonPath("$.code").saveAs("code")))
            .exec(http("POST /login/ (slow WeChat)").post(Targets.GATEWAY + "/login/")
                    .body(StringBody("{\"code\":\"#{code}\"}"))
                    .check(status().is(200), jsonPath("$.data.token").exists()));

    {
        setUp(login.injectOpen(rampUsers(users).during(Duration.ofSeconds(spreadSeconds))))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(spreadSeconds + 90))
                .assertions(
                        global().failedRequests().percent().lt(1.0),
                        // the answer may not take much more than WeChat's own delay: no queueing behind blocked threads
                        details("POST /login/ (slow WeChat)").responseTime().percentile(95.0).lt(wechatDelayMs + 1000));
    }
}
