package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Far more purchases than the box can serve (open model): {@code rate} new users per second for {@code seconds},
 * whatever the gateway answers; run.sh sets the rate to about ten times the best purchase rate measured before.
 * What counts is the goodput (completed purchases per second) and how fast the refused requests are answered.
 * The users' wx.login codes are made before the run ({@link PhoneLogins}).
 * Each request gives up after Gatling's requestTimeout (10 s), so the run ends by itself.
 */
public class OverloadSimulation extends Simulation {

    private final int rate = Targets.intProperty("rate", 1000);
    private final Duration duration = Bench.seconds("seconds", 30);

    @Override
    public void after() {
        Timeline.write();
    }

    {
        // every user's wx.login is done before the run: at this rate the phones' side would crowd the box
        setUp(scenario("purchase at " + rate + " new users/s")
                .exec(Bench.purchaseLoggedIn(PhoneLogins.made(rate * (int) duration.toSeconds())))
                .injectOpen(constantUsersPerSec(rate).during(duration)))
                .protocols(Bench.protocol())
                .maxDuration(duration.plusSeconds(20));
    }
}
