package io.wxgate.testing;

import io.wxgate.sandbox.SandboxApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A WeChat sandbox of a test's own, on a free port with the test world's configuration: for tests of the sandbox
 * itself (faults, notify receivers, real client libraries) that must not disturb the shared one.
 */
public final class OwnSandbox implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final String url;

    private OwnSandbox(ConfigurableApplicationContext context, String url) {
        this.context = context;
        this.url = url;
    }

    public static OwnSandbox start() {
        int port = EmbeddedServers.freePort();
        return new OwnSandbox(SandboxApplication.start(TestWorld.sandboxProperties(port, EmbeddedServers.freePort())),
                "http://127.0.0.1:" + port);
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        context.close();
    }
}
