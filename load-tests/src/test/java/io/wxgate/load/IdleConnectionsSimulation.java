package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Many idle clients while others log in: {@code connections} users each open a connection to the gateway over
 * {@code rampSeconds} (one {@code GET /api/v1/ping}) and then keep it, idle, for {@code holdSeconds}; meanwhile
 * {@code loginRate} new users per second log in. run.sh reads the gateway's heap while the connections are held.
 * Gatling keeps an idle connection for {@code gatling.http.pooledConnectionIdleTimeout}: run.sh sets it above the hold.
 */
public class IdleConnectionsSimulation extends Simulation {

    static final String OPEN = "GET /api/v1/ping (then idle)";

    private final int connections = Targets.intProperty("connections", 10000);
    private final int loginRate = Targets.intProperty("loginRate", 20);
    private final Duration ramp = Bench.seconds("rampSeconds", 30);
    private final Duration hold = Bench.seconds("holdSeconds", 30);

    @Override
    public void after() {
        Timeline.write();
    }

    {
        setUp(
                scenario("idle connection").exec(Bench.timed(OPEN, h -> h.get(Targets.GATEWAY + "/api/v1/ping"), status().is(204)))
                        .pause(hold)
                        .injectOpen(rampUsers(connections).during(ramp)),
                scenario("login while connections idle").feed(Bench.newOpenids()).exec(Bench.login(0))
                        .injectOpen(constantUsersPerSec(loginRate).during(ramp.plus(hold))))
                .protocols(Bench.protocol())
                .maxDuration(ramp.plus(hold).plusSeconds(30));
    }
}
