package io.wxgate.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Switches the sandbox's WeChat Pay faults on before a run and off after it (PUT / DELETE /sandbox/faults). */
final class SandboxFaults {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SandboxFaults() {
    }

    static void put(String json) {
        send(HttpRequest.newBuilder(URI.create(Targets.SANDBOX + "/sandbox/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static void reset() {
        send(HttpRequest.newBuilder(URI.create(Targets.SANDBOX + "/sandbox/faults")).DELETE().build());
    }

    private static void send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("sandbox refused the faults: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("sandbox not reachable at " + Targets.SANDBOX, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
