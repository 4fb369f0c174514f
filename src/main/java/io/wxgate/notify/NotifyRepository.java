package io.wxgate.notify;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The {@code pay_notify} audit table: every notify received, with its raw body and verdict. */
@Repository
public class NotifyRepository {

    private final DatabaseClient db;

    public NotifyRepository(DatabaseClient db) {
        this.db = db;
    }

    /** One received notify; {@code outTradeNo}/{@code transactionId} only when they are syntactically sane. */
    public record Received(String outTradeNo, String transactionId, NotifyVerdict verdict, String detail,
                           String rawBody, Instant receivedAt) {
    }

    public Mono<Void> record(Received r) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO pay_notify (out_trade_no, transaction_id, verdict, "
                        + "detail, raw_body, received_at) VALUES (:no, :tid, :verdict, :detail, :raw, :at)")
                .bind("verdict", r.verdict().name())
                .bind("raw", r.rawBody())
                .bind("at", LocalDateTime.ofInstant(r.receivedAt(), ZoneOffset.UTC));
        spec = r.outTradeNo() == null ? spec.bindNull("no", String.class) : spec.bind("no", r.outTradeNo());
        spec = r.transactionId() == null ? spec.bindNull("tid", String.class) : spec.bind("tid", r.transactionId());
        String detail = r.detail() == null ? null : r.detail().substring(0, Math.min(255, r.detail().length()));
        spec = detail == null ? spec.bindNull("detail", String.class) : spec.bind("detail", detail);
        return spec.fetch().rowsUpdated().then();
    }
}
