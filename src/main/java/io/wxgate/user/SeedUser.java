package io.wxgate.user;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A user as the seed's {@code /getinfo/} answered it: Django REST framework's {@code ModelSerializer} of the seed's
 * {@code Wxuser} model with {@code fields = "__all__"}, field for field and in the model's order. Text the user
 * never gave is {@code ""} (Django's default for a CharField); times are DRF's ISO 8601 in UTC
 * ({@code 2019-05-01T08:30:00.123000Z}; no fraction when it is zero).
 */
public record SeedUser(long id, String openid, String name, String avatar, String language, String province,
                       String city, String country,
                       @JsonProperty("creat_time") String creatTime,
                       @JsonProperty("update_time") String updateTime) {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    static String text(String value) {
        return value == null ? "" : value;
    }

    /** Python's {@code datetime.isoformat()} of an aware UTC time, with DRF's {@code +00:00} -> {@code Z}. */
    static String djangoTime(BigDecimal epochSeconds) {
        if (epochSeconds == null) {
            return null;
        }
        long micros = epochSeconds.movePointRight(6).setScale(0, RoundingMode.DOWN).longValueExact();
        Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        String seconds = SECONDS.format(at);
        int fraction = at.getNano() / 1000;
        // six digits, zero-padded, without String.format (1 % of a /getinfo/'s CPU, profiled)
        return fraction == 0 ? seconds + "Z" : seconds + "." + String.valueOf(1_000_000 + fraction).substring(1) + "Z";
    }
}
