package io.wxgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.overload.Overloaded;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.netty.channel.AbortedException;

@ExtendWith(OutputCaptureExtension.class)
class ErrorResponsesTest {

    private final ErrorResponses responses = new ErrorResponses();

    private static MockServerWebExchange exchange(String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.post(path));
    }

    @Test
    void aClientThatHungUpIsNotAnErrorInTheLog(CapturedOutput output) {
        responses.unexpected(new AbortedException("Connection has been closed BEFORE send operation"), exchange("/pay/"));
        responses.unexpected(new IOException("Connection reset by peer"), exchange("/getinfo/"));

        assertThat(output.getAll()).doesNotContain("ERROR").doesNotContain("unexpected error");
    }

    @Test
    void anythingElseUnexpectedIsLoggedInFullAndAnswered500WithoutInternals(CapturedOutput output) {
        var response = responses.unexpected(new IllegalStateException("secret internals"), exchange("/api/v1/users/me"));

        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getBody().toString()).doesNotContain("secret internals");
        assertThat(output.getAll()).contains("ERROR").contains("unexpected error on /api/v1/users/me");
    }

    @Test
    void aRedisCommandTimeoutIsA503WithRetryAfterNotA500() {
        var response = responses.storeDown(new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 2 second(s)"),
                exchange("/getinfo/"));

        assertThat(response.getStatusCode().value()).isEqualTo(503);
        assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(response.getBody().toString()).contains("store_unavailable");
    }

    @Test
    void anOverloadedRefusalCarriesRetryAfterInWholeSeconds() {
        var response = responses.gateway(new Overloaded("WeChat Pay", Duration.ofMillis(1500)), exchange("/pay/"));

        assertThat(response.getStatusCode().value()).isEqualTo(503);
        assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(response.getBody().toString()).contains("code=5").contains("error=overloaded");
    }
}
