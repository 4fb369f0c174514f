package io.wxgate.load;

/** Where the load goes: the README's local run by default; loopback only. */
final class Targets {

    static final String GATEWAY = System.getProperty("gateway", "http://127.0.0.1:8000");
    /** The gateway's management port (probes, metrics); never the public one. */
    static final String MANAGEMENT = System.getProperty("management", "http://127.0.0.1:9090");
    static final String SANDBOX = System.getProperty("sandbox", "http://127.0.0.1:9900");
    static final String APPID = System.getProperty("appid", "wx5ca7b1e1d1b0a001");

    private Targets() {
    }

    static int intProperty(String name, int fallback) {
        return Integer.getInteger(name, fallback);
    }
}
