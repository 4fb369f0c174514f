package io.wxgate.sandbox.pay;

import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Sends WeChat's payment notify (signed XML) to an order's notify_url and retries it on WeChat's schedule
 * ({@code sandbox.notify.delays} × {@code sandbox.notify.time-scale}, the first at once) until the merchant
 * answers {@code return_code SUCCESS}. A non-2xx status, any other reply, a timeout or a connection error is a
 * failed attempt. Every attempt is recorded in the order's {@link NotifyLog}.
 */
@Component
public class PayNotifier implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PayNotifier.class);
    private static final MediaType TEXT_XML_UTF8 = MediaType.parseMediaType("text/xml;charset=UTF-8");
    private static final int MAX_RECORDED_REPLY = 2000;

    private final SandboxProperties sandbox;
    private final PaySandboxProperties pay;
    private final FaultSwitches faults;
    private final SandboxOrders orders;
    private final PayXml xml = new PayXml();
    private final WeChatIds ids;
    private final WebClient client;
    /** Completes when the sandbox shuts down, ending every pending retry schedule. */
    private final Sinks.One<Boolean> shutdown = Sinks.one();

    PayNotifier(SandboxProperties sandbox, PaySandboxProperties pay, FaultSwitches faults, SandboxOrders orders,
                WeChatIds ids, ReactorResourceFactory resources) {
        this.ids = ids;
        // the sandbox's own event loops (see SandboxApplication), not Reactor Netty's global ones
        this.client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(resources, http -> http))
                .build();
        this.sandbox = sandbox;
        this.pay = pay;
        this.faults = faults;
        this.orders = orders;
    }

    /** Starts the notify schedule for a freshly paid order; returns at once. */
    public void paid(SandboxOrder order, String apiKey) {
        NotifyLog notifyLog = orders.notifyLog(order);
        if (faults.current().dropNotifies()) {
            log.info("fault dropNotifies: no notify for out_trade_no {}", order.outTradeNo());
            return;
        }
        Map<String, String> fields = notifyFields(order);
        PaySigner signer = new PaySigner(apiKey);
        Flux.fromIterable(scaledDelays())
                .concatMap(delay -> Mono.delay(delay).then(attempt(order, fields, signer, notifyLog)))
                .takeUntil(Boolean::booleanValue)
                .takeUntilOther(shutdown.asMono())
                .subscribe(ack -> { }, e -> log.warn("notify schedule for out_trade_no {} broke", order.outTradeNo(), e));
    }

    /** WeChat's notify body fields, without the sign. The same nonce_str for every retry, as WeChat does. */
    Map<String, String> notifyFields(SandboxOrder order) {
        SandboxOrder.Payment payment = order.payment();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", order.appid());
        if (order.attach() != null && !order.attach().isEmpty()) {
            fields.put("attach", order.attach());
        }
        fields.put("bank_type", payment.bankType());
        fields.put("cash_fee", Long.toString(payment.cashFee()));
        fields.put("fee_type", "CNY");
        fields.put("is_subscribe", "N");
        fields.put("mch_id", order.mchId());
        fields.put("nonce_str", ids.nonce());
        fields.put("openid", order.openid());
        fields.put("out_trade_no", order.outTradeNo());
        fields.put("result_code", "SUCCESS");
        fields.put("return_code", "SUCCESS");
        if (order.signType() == SignType.HMAC_SHA256) {
            fields.put("sign_type", order.signType().wireName());
        }
        fields.put("time_end", WeChatIds.WECHAT_TIME.format(payment.paidAt()));
        fields.put("total_fee", Long.toString(order.totalFee()));
        fields.put("trade_type", order.tradeType());
        fields.put("transaction_id", payment.transactionId());
        return fields;
    }

    private List<Duration> scaledDelays() {
        double scale = sandbox.notifyPolicy().timeScale();
        return sandbox.notifyPolicy().delays().stream()
                .map(d -> Duration.ofNanos(Math.round(d.toNanos() * scale)))
                .toList();
    }

    /** One attempt: {@code notifyCopies} concurrent POSTs; acknowledged when any copy was. */
    private Mono<Boolean> attempt(SandboxOrder order, Map<String, String> fields, PaySigner signer, NotifyLog notifyLog) {
        return Mono.defer(() -> {
            PayFaults current = faults.current();
            Map<String, String> signed = new LinkedHashMap<>(fields);
            String sign = signer.sign(fields, order.signType());
            signed.put("sign", current.badSignNotifies() ? corrupt(sign) : sign);
            String body = xml.write(signed);
            return Flux.range(0, current.notifyCopies())
                    .flatMap(copy -> reorderWait(current).then(post(order.notifyUrl(), body)))
                    .doOnNext(notifyLog::record)
                    .map(NotifyAttempt::acknowledged)
                    .reduce(false, Boolean::logicalOr);
        });
    }

    private static Mono<Long> reorderWait(PayFaults current) {
        if (!current.reorderNotifies() || current.reorderWindowMs() == 0) {
            return Mono.just(0L);
        }
        return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(current.reorderWindowMs() + 1)));
    }

    private Mono<NotifyAttempt> post(String notifyUrl, String body) {
        return Mono.defer(() -> {
            Instant at = Instant.now();
            return client.post().uri(notifyUrl)
                    .contentType(TEXT_XML_UTF8)
                    .bodyValue(body)
                    .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                            .map(reply -> NotifyAttempt.answered(at, response.statusCode().value(), truncate(reply),
                                    response.statusCode().is2xxSuccessful() && acknowledges(reply))))
                    .timeout(pay.notifyTimeout())
                    .onErrorResume(e -> Mono.just(NotifyAttempt.failed(at, describe(e))));
        });
    }

    private boolean acknowledges(String reply) {
        try {
            return "SUCCESS".equals(xml.read(reply).get("return_code"));
        } catch (PayXml.MalformedPayXml e) {
            return false;
        }
    }

    private static String corrupt(String sign) {
        char first = sign.charAt(0) == 'A' ? 'B' : 'A';
        return first + sign.substring(1);
    }

    private static String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "timeout: no reply within the notify timeout";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String truncate(String reply) {
        return reply.length() <= MAX_RECORDED_REPLY ? reply : reply.substring(0, MAX_RECORDED_REPLY) + "...";
    }

    @Override
    public void destroy() {
        shutdown.tryEmitValue(true);
    }
}
