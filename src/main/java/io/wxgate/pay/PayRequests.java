package io.wxgate.pay;

import io.wxgate.web.BadRequest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Checks of what a payer sends: the amount in fen, the order body, and the idempotency key. */
final class PayRequests {

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,64}");

    private PayRequests() {
    }

    /** A positive whole number of fen, at most {@code max}: 1 is 0.01 yuan; 1.0, "1", -1 and 0 are refused. */
    static long totalFee(JsonNode value, String field, long max) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw BadRequest.missing(field);
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidAmount(field + " must be a whole number of fen (1 = 0.01 yuan), not " + kind(value));
        }
        long fen = value.longValue();
        if (fen <= 0) {
            throw new InvalidAmount(field + " must be at least 1 fen");
        }
        if (fen > max) {
            throw new InvalidAmount(field + " must be at most " + max + " fen");
        }
        return fen;
    }

    private static String kind(JsonNode value) {
        if (value.isNumber()) {
            return "a fraction";
        }
        if (value.isString()) {
            return "a string";
        }
        return "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** WeChat's body field: at most 128 bytes of UTF-8, no control characters. */
    static String body(String body, String fallback) {
        if (body == null) {
            return fallback;
        }
        if (body.isBlank() || body.getBytes(StandardCharsets.UTF_8).length > 128 || body.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequest("body must be 1 to 128 bytes of text without control characters");
        }
        return body;
    }

    static String idempotencyKey(String header) {
        if (header == null || header.isEmpty()) {
            throw BadRequest.missing("Idempotency-Key header");
        }
        if (!IDEMPOTENCY_KEY.matcher(header).matches()) {
            throw new BadRequest("Idempotency-Key must be 1 to 64 printable ASCII characters");
        }
        return header;
    }
}
