package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The purchase at a fixed number of users in flight (closed model): {@code users} concurrent users, each buying
 * once as a new mini-program user and replaced by a new one when done, reached over {@code rampSeconds} and held
 * for {@code seconds}, with WeChat answering after {@code wechatMs} (jscode2session and every /pay/ call).
 */
public class PurchaseClosedSimulation extends Simulation {

    private final int users = Targets.intProperty("users", 200);
    private final int wechatMs = Bench.wechatMs();
    private final Duration ramp = Bench.seconds("rampSeconds", 5);
    private final Duration hold = Bench.seconds("seconds", 60);

    @Override
    public void before() {
        Bench.wechatPayLatency(wechatMs);
    }

    @Override
    public void after() {
        Bench.resetWechat();
        Timeline.write();
    }

    {
        setUp(scenario("purchase, " + users + " users, WeChat " + wechatMs + " ms").exec(Bench.purchase(wechatMs))
                .injectClosed(
                        rampConcurrentUsers(1).to(users).during(ramp),
                        constantConcurrentUsers(users).during(hold)))
                .protocols(Bench.protocol())
                .maxDuration(ramp.plus(hold).plusSeconds(20));
    }
}
