package io.wxgate.web;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * Base of every error the gateway answers on purpose. Each subtype is one thing that went wrong,
 * with the HTTP status, a stable machine code and the seed client's numeric code; {@link ErrorResponses}
 * turns it into a response in one place.
 */
public abstract class GatewayException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final int seedCode;

    protected GatewayException(HttpStatus status, String code, int seedCode, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.seedCode = seedCode;
    }

    public HttpStatus status() {
        return status;
    }

    /** Stable, lower_snake machine code, e.g. {@code invalid_code}. */
    public String code() {
        return code;
    }

    /** The number the seed's Django views used for this kind of failure (1 missing input, 2 bad code/token, ...). */
    public int seedCode() {
        return seedCode;
    }

    /** When a retry may succeed, sent as {@code Retry-After}; null when the answer will not change by waiting. */
    public Duration retryAfter() {
        return null;
    }
}
