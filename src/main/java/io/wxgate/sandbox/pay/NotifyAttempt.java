package io.wxgate.sandbox.pay;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One POST of a payment notify to the merchant's notify_url: the HTTP status and reply body when the merchant
 * answered, or the error (timeout, connection refused, ...) when it did not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifyAttempt(Instant at, Integer status, String reply, String error, @JsonIgnore boolean acknowledged) {

    static NotifyAttempt answered(Instant at, int status, String reply, boolean acknowledged) {
        return new NotifyAttempt(at, status, reply, null, acknowledged);
    }

    static NotifyAttempt failed(Instant at, String error) {
        return new NotifyAttempt(at, null, null, error, false);
    }
}
