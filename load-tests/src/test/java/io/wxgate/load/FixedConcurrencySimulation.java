package io.wxgate.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Three routes at the same fixed concurrency, one after the other in one run, so their throughputs compare:
 * {@code users} users each repeating one request for {@code seconds} on its own kept-alive connection.
 * <ol>
 * <li>{@code GET /api/v1/ping}: the gateway's cheapest answer, this machine's ceiling;</li>
 * <li>{@code POST /getinfo/}: decrypt, check and store the user data (each user logs in once first);</li>
 * <li>{@code POST /api/v1/pay/notify}: one notify the gateway already applied, re-sent as it was (the same signed
 *     body, read from {@code -DnotifyBodyFile}; run.sh takes it from {@code pay_notify}): acknowledged, not applied.</li>
 * </ol>
 */
public class FixedConcurrencySimulation extends Simulation {

    static final String PING = "GET /api/v1/ping";
    static final String DUPLICATE_NOTIFY = "POST /api/v1/pay/notify (duplicate)";

    private final int users = Targets.intProperty("users", 64);
    private final Duration each = Bench.seconds("seconds", 20);
    private final String notifyBody = read(System.getProperty("notifyBodyFile", ""));

    private final ScenarioBuilder ping = scenario("ping").exec(during(each).on(
            Bench.timedInLoop(PING, h -> h.get(Targets.GATEWAY + "/api/v1/ping"), status().is(204))));

    private final ScenarioBuilder getInfo = scenario("getinfo")
            .feed(Bench.newOpenids()).exec(Bench.login(0)).exec(Bench.userInfo())
            .exec(during(each).on(Bench.timedInLoop("POST /getinfo/", h -> h.post(Targets.GATEWAY + "/getinfo/")
                            .body(StringBody("{\"iv\":\"#{iv}\",\"encryptedData\":\"#{encryptedData}\",\"token\":\"#{token}\"}")),
                    status().is(200), jsonPath("$.data.name").exists())));

    private final ScenarioBuilder duplicateNotify = scenario("duplicate notify").exec(during(each).on(
            Bench.timedInLoop(DUPLICATE_NOTIFY, h -> h.post(Targets.GATEWAY + "/api/v1/pay/notify")
                            .header("Content-Type", "text/xml;charset=UTF-8").body(StringBody(notifyBody)),
                    status().is(200), substring("<![CDATA[SUCCESS]]>").exists())));

    @Override
    public void after() {
        Timeline.write();
    }

    {
        setUp(ping.injectOpen(atOnceUsers(users))
                .andThen(getInfo.injectOpen(atOnceUsers(users))
                        .andThen(duplicateNotify.injectOpen(atOnceUsers(users)))))
                .protocols(Bench.protocol())
                .maxDuration(each.multipliedBy(3).plusSeconds(45));
    }

    private static String read(String file) {
        if (file.isEmpty()) {
            throw new IllegalStateException("-DnotifyBodyFile must name a file holding one notify the gateway applied");
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
