package io.wxgate.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * New users' wx.login done ahead of a run ({@code POST /sandbox/wx/logins}, 5,000 phones a request): a feeder of
 * {@code openid} and {@code code}. At ten times what the box can serve, thousands of wx.login calls a second would
 * have the sandbox's phone side compete with the gateway for the same two cores; in production that work is the
 * phones' and WeChat's, not the box's.
 */
final class PhoneLogins {

    private static final int BATCH = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PhoneLogins() {
    }

    /** {@code count} users' openids and codes, each used once. */
    static Iterator<Map<String, Object>> made(int count) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Map<String, Object>> logins = new ArrayList<>(count);
        while (logins.size() < count) {
            int batch = Math.min(BATCH, count - logins.size());
            HttpRequest request = HttpRequest.newBuilder(URI.create(Targets.SANDBOX + "/sandbox/wx/logins"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"appid\":\"" + Targets.APPID + "\",\"count\":" + batch + "}"))
                    .build();
            int before = logins.size();
            for (JsonNode login : read(send(client, request)).path("logins")) {
                logins.add(Map.of("openid", login.path("openid").asText(), "code", login.path("code").asText()));
            }
            if (logins.size() - before != batch) {
                throw new IllegalStateException("the sandbox made " + (logins.size() - before) + " logins, not " + batch);
            }
        }
        return logins.iterator();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the sandbox's logins are not JSON", e);
        }
    }

    private static String send(HttpClient client, HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the sandbox refused the logins: " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("sandbox not reachable at " + Targets.SANDBOX, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
