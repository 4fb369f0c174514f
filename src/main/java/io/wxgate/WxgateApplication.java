package io.wxgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The gateway: login, user data and WeChat Pay in front of WeChat. */
@SpringBootApplication
@EnableScheduling
@ComponentScan(excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX, pattern = "io\\.wxgate\\.sandbox\\..*"))
@ConfigurationPropertiesScan(basePackages = {"io.wxgate.accesstoken", "io.wxgate.login", "io.wxgate.user", "io.wxgate.pay", "io.wxgate.notify", "io.wxgate.web", "io.wxgate.overload"})
public class WxgateApplication {

    public static void main(String[] args) {
        SpringApplication.run(WxgateApplication.class, args);
    }
}
