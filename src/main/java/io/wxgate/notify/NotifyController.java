package io.wxgate.notify;

import io.wxgate.pay.PayMetrics;
import io.wxgate.web.HttpLimits;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import io.wxgate.wechat.PayV3Verifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/v1/pay/notify}: WeChat Pay's notify_url. Speaks only WeChat's XML, whatever the content type.
 * Answers SUCCESS (HTTP 200) once the notify is applied or known to be applied; FAIL with HTTP 200 for a notify
 * it records but refuses (forged, wrong amount, unknown order...); FAIL with HTTP 503 when it cannot reach its
 * database, so nothing is acknowledged that is not durably written. WeChat retries a FAIL either way.
 */
@RestController
public class NotifyController {

    static final String SUCCESS = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

    private static final Logger log = LoggerFactory.getLogger(NotifyController.class);

    private final NotifyService service;
    private final PayMetrics metrics;
    private final int maxBytes;

    public NotifyController(NotifyService service, PayMetrics metrics, HttpLimits limits) {
        this.service = service;
        this.metrics = metrics;
        this.maxBytes = limits.maxBodyBytes();
    }

    @PostMapping("/api/v1/pay/notify")
    public Mono<ResponseEntity<String>> receive(ServerWebExchange exchange) {
        if (exchange.getRequest().getHeaders().containsHeader(PayV3Verifier.SignedHeaders.SIGNATURE)) {
            // an APIv3 notify at the APIv2 path: v3 WeChat reads only the status, so a 200 would lose it; a 4xx has
            // it sent again (to a fixed notify_url, or settled by the reconciler meanwhile)
            metrics.notifyVerdict(service.atWrongPath().name(), false, "v3");
            return Mono.just(v3Fail(HttpStatus.BAD_REQUEST, "APIV3_NOTIFY_AT_APIV2_PATH"));
        }
        return handle(exchange, "v2", body -> service.receive(new String(body, StandardCharsets.UTF_8)),
                verdict -> verdict.acknowledged() ? reply(HttpStatus.OK, SUCCESS) : reply(HttpStatus.OK, fail(verdict.name())),
                (status, reason) -> reply(status, fail(reason)));
    }

    /**
     * {@code POST /api/v1/pay/notify/v3}: WeChat Pay's APIv3 notify_url. HTTP 204 once the payment is applied (or
     * known to be), only after the commit; otherwise 4xx/5xx with {@code {"code":"FAIL","message":…}}, which WeChat
     * retries: 401 for any signature failure (one answer for all of them), 413 too large, 400 for a verified notify
     * refused here, 503 when the database cannot be reached.
     */
    @PostMapping("/api/v1/pay/notify/v3")
    public Mono<ResponseEntity<String>> receiveV3(ServerWebExchange exchange) {
        PayV3Verifier.SignedHeaders signed = PayV3Verifier.SignedHeaders.from(exchange.getRequest().getHeaders()::getFirst);
        return handle(exchange, "v3", body -> service.receiveV3(signed, body),
                verdict -> verdict.acknowledged() ? ResponseEntity.noContent().<String>build()
                        : v3Fail(verdict == NotifyVerdict.BAD_SIGN ? HttpStatus.UNAUTHORIZED : HttpStatus.BAD_REQUEST,
                                verdict.name()),
                NotifyController::v3Fail);
    }

    /**
     * Either version's notify: the body read up to the limit (a larger one is refused unread), judged, counted by
     * verdict, and answered; anything else means the verdict could not be made durable, so the answer is a failure
     * WeChat sends again.
     */
    private Mono<ResponseEntity<String>> handle(ServerWebExchange exchange, String api,
                                                Function<byte[], Mono<NotifyVerdict>> receive,
                                                Function<NotifyVerdict, ResponseEntity<String>> answer,
                                                BiFunction<HttpStatus, String, ResponseEntity<String>> failure) {
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxBytes)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(receive)
                .doOnNext(verdict -> metrics.notifyVerdict(verdict.name(), verdict.acknowledged(), api))
                .map(answer)
                .onErrorResume(DataBufferLimitException.class, e -> {
                    metrics.notifyVerdict(service.tooLarge(maxBytes).name(), false, api);
                    return Mono.just(failure.apply(HttpStatus.PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE"));
                })
                .onErrorResume(e -> {
                    metrics.notifyVerdict("NOT_RECORDED", false, api);
                    log.warn("{} notify not processed, answering FAIL: {}", api, e.toString());
                    return Mono.just(failure.apply(HttpStatus.SERVICE_UNAVAILABLE, "SYSTEMERROR"));
                });
    }

    private static ResponseEntity<String> v3Fail(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body("{\"code\":\"FAIL\",\"message\":\"" + message + "\"}");
    }

    private static String fail(String reason) {
        return "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[" + reason + "]]></return_msg></xml>";
    }

    private static ResponseEntity<String> reply(HttpStatus status, String xml) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_XML).body(xml);
    }
}
