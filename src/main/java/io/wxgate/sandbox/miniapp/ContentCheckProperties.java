package io.wxgate.sandbox.miniapp;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** What the sandbox's msg_sec_check finds: text containing a risky word is "risky", a review word "review". */
@ConfigurationProperties("sandbox.content-check")
public record ContentCheckProperties(@DefaultValue({"赌博", "sandbox-risky"}) List<String> riskyWords,
                                     @DefaultValue("sandbox-review") List<String> reviewWords) {
}
