package io.wxgate.db;

import org.springframework.boot.r2dbc.ConnectionFactoryDecorator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The R2DBC connection factory under Spring Boot's pool (Boot applies decorators before it pools). */
@Configuration(proxyBeanMethods = false)
class DatabaseConfig {

    @Bean
    ConnectionFactoryDecorator quietRelease() {
        return QuietRelease::new;
    }
}
