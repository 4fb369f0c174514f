package io.wxgate.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/** The sandbox's world: which apps and merchants exist, how long codes live, how notifies are retried. */
@ConfigurationProperties("sandbox")
public record SandboxProperties(
        @DefaultValue List<App> apps,
        @DefaultValue List<Merchant> merchants,
        @DefaultValue("5m") Duration codeTtl,
        @DefaultValue @Name("notify") Notify notifyPolicy) {

    /** A mini-program registered at "WeChat". */
    public record App(String appid, String secret) {

        @Override
        public String toString() {
            return "App[appid=" + appid + "]";
        }
    }

    /** A WeChat Pay merchant, bound to one appid. */
    public record Merchant(String mchId, String apiKey, String appid) {

        @Override
        public String toString() {
            return "Merchant[mchId=" + mchId + ", appid=" + appid + "]";
        }
    }

    /**
     * WeChat's notify retry schedule (15 s, 15 s, 30 s, 3 min, ... 6 h) and a factor that compresses it for tests:
     * with {@code time-scale: 0.001} the whole day of retries takes about 90 s.
     */
    public record Notify(@DefaultValue("1.0") double timeScale,
                         @DefaultValue({"0s", "15s", "15s", "30s", "3m", "10m", "20m", "30m", "30m", "30m", "60m", "3h", "3h", "3h", "6h", "6h"})
                         List<Duration> delays) {
    }

    public Optional<App> app(String appid) {
        return apps.stream().filter(a -> a.appid().equals(appid)).findFirst();
    }

    public Optional<Merchant> merchant(String mchId) {
        return merchants.stream().filter(m -> m.mchId().equals(mchId)).findFirst();
    }
}
