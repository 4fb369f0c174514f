package io.wxgate.testing;

import io.wxgate.WxgateApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in its own JVM (the test classpath, {@link WxgateApplication}'s main), pointed at {@link TestWorld}:
 * what a test needs to send it a real SIGTERM or SIGKILL, or to see its logging from a clean start. Its output
 * goes to a file the test reads.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int port;
    private final int managementPort;

    private GatewayProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts it and waits (at most 120 s) until its readiness probe answers 200. */
    public static GatewayProcess start(Map<String, Object> overrides) {
        int port = EmbeddedServers.freePort();
        int managementPort = EmbeddedServers.freePort();
        Map<String, Object> properties = new LinkedHashMap<>(TestWorld.get().gatewayProperties(port, managementPort));
        properties.put("wechat.pay.notify-url", "http://127.0.0.1:" + port + "/api/v1/pay/notify");
        properties.putAll(overrides);
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WxgateApplication.class.getName());
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Path log = Files.createTempFile("wxgate-gateway-" + port + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            GatewayProcess gateway = new GatewayProcess(process, log, port, managementPort);
            gateway.awaitReady(Duration.ofSeconds(120));
            return gateway;
        } catch (IOException e) {
            throw new IllegalStateException("could not start a gateway process", e);
        }
    }

    private void awaitReady(Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway process exited with " + process.exitValue() + ":\n" + output());
            }
            if (probe("/actuator/health/readiness") == 200) {
                return;
            }
            pause(Duration.ofMillis(250));
        }
        close();
        throw new IllegalStateException("the gateway process was not ready within " + limit + ":\n" + output());
    }

    /** The HTTP status of GET path on the management port, or -1 when nothing answers. */
    public int probe(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + path)).timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as Kubernetes sends when it stops a pod. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: no shutdown hook, no goodbye. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the exit, returning its code, or throws when it has not exited within {@code limit}. */
    public int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the gateway process did not exit within " + limit);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
