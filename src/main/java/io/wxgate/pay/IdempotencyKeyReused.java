package io.wxgate.pay;

import io.wxgate.web.GatewayException;
import org.springframework.http.HttpStatus;

/** The same Idempotency-Key came back with a different amount or body: refusing beats guessing which one was meant. */
public class IdempotencyKeyReused extends GatewayException {
    public IdempotencyKeyReused() {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency_key_reused", 1,
                "this Idempotency-Key was already used for a different order; use a new key for a new order");
    }
}
