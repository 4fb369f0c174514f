package io.wxgate.web;

import org.springframework.http.HttpStatus;

/** Missing, empty or malformed input. */
public class BadRequest extends GatewayException {
    public BadRequest(String detail) {
        super(HttpStatus.BAD_REQUEST, "bad_request", 1, detail);
    }

    public static BadRequest missing(String field) {
        return new BadRequest("missing or empty field: " + field);
    }
}
