package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The first seconds of a gateway that has just reported ready: {@code users} users buying at once, again and
 * again (closed model), for {@code seconds}. The simulation starts before the gateway and waits on its readiness
 * probe, so the first purchase goes out within 50 ms of readiness. With {@code -Dtimeline=FILE} every request's
 * outcome is written for the per-second table.
 */
public class ColdStartSimulation extends Simulation {

    private final int users = Targets.intProperty("users", 50);
    private final Duration duration = Bench.seconds("seconds", 10);

    @Override
    public void before() {
        Bench.awaitReady(Bench.seconds("readyWithinSeconds", 180));
    }

    @Override
    public void after() {
        Timeline.write();
    }

    {
        setUp(scenario("purchase right after readiness").exec(Bench.purchase(0))
                .injectClosed(constantConcurrentUsers(users).during(duration)))
                .protocols(Bench.protocol())
                .maxDuration(duration.plusSeconds(15));
    }
}
