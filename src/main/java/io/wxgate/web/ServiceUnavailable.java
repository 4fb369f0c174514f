package io.wxgate.web;

import org.springframework.http.HttpStatus;

/** A store or WeChat itself cannot be reached right now; the client may retry later. */
public class ServiceUnavailable extends GatewayException {
    public ServiceUnavailable(String code, String detail) {
        super(HttpStatus.SERVICE_UNAVAILABLE, code, 5, detail);
    }
}
