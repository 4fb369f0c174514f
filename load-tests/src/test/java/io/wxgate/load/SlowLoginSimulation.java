package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Logins while WeChat is slow: {@code users} users logging in at once (closed model: each finished login is
 * replaced by a new user's), every jscode2session answered after {@code wechatMs} (default 1 s). A login should
 * take about WeChat's time, not queue behind the others.
 */
public class SlowLoginSimulation extends Simulation {

    private final int users = Targets.intProperty("users", 2000);
    private final int wechatMs = Targets.intProperty("wechatMs", 1000);
    private final Duration ramp = Bench.seconds("rampSeconds", 5);
    private final Duration hold = Bench.seconds("seconds", 30);

    @Override
    public void after() {
        Timeline.write();
    }

    {
        setUp(scenario("login, " + users + " users, WeChat " + wechatMs + " ms")
                .feed(Bench.newOpenids()).exec(Bench.login(wechatMs))
                .injectClosed(
                        rampConcurrentUsers(1).to(users).during(ramp),
                        constantConcurrentUsers(users).during(hold)))
                .protocols(Bench.protocol())
                .maxDuration(ramp.plus(hold).plusSeconds(20));
    }
}
