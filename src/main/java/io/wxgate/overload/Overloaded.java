package io.wxgate.overload;

import io.wxgate.web.GatewayException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** Refused before any work was done, because the gateway cannot serve it in time: retry after the hint. */
public class Overloaded extends GatewayException {

    private final Duration retryAfter;

    public Overloaded(String what, Duration retryAfter) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", 5, "too many requests for " + what + " right now; retry later");
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
