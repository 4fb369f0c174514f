package io.wxgate.web;

/** Presence checks for request fields, each failing with a {@link BadRequest} that names the field. */
public final class Require {

    private Require() {
    }

    public static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw BadRequest.missing(field);
        }
        return value;
    }

    public static <T> T present(T value, String field) {
        if (value == null) {
            throw BadRequest.missing(field);
        }
        return value;
    }
}
