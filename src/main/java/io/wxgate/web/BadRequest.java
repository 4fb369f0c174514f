package io.wxgate.web;

import org.springframework.http.HttpStatus;

/** Missing, empty or malformed input. */
public class BadRequest extends GatewayException {
    public BadRequest(String detail) {
        super(HttpStatus.BAD_REQUEST, "bad_request", 1, detail);
    }

    public static BadRequest missing(String field) {
        return new MissingField(field);
    }

    /** A required field is absent or empty (the seed's {@code 缺少参数}). */
    public static final class MissingField extends BadRequest {
        MissingField(String field) {
            super("missing or empty field: " + field);
        }
    }
}
