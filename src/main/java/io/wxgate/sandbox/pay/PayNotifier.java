package io.wxgate.sandbox.pay;

import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends WeChat's payment notify to an order's notify_url and retries it on WeChat's schedule
 * ({@code sandbox.notify.delays} × {@code sandbox.notify.time-scale}, the first at once) until the merchant
 * acknowledges it: for an APIv2 order signed XML, acknowledged by a 2xx with {@code return_code SUCCESS}; for an
 * APIv3 (RSA) order signed JSON with the transaction GCM-encrypted, acknowledged by any 2xx. Anything else, a
 * timeout or a connection error is a failed attempt. Every attempt is recorded in the order's {@link NotifyLog}.
 */
@Component
public class PayNotifier implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PayNotifier.class);
    private static final MediaType TEXT_XML_UTF8 = MediaType.parseMediaType("text/xml;charset=UTF-8");
    private static final int MAX_RECORDED_REPLY = 2000;
    /** The associated data and original type of a payment notify's resource. */
    private static final String TRANSACTION = "transaction";

    private final SandboxProperties sandbox;
    private final PaySandboxProperties pay;
    private final FaultSwitches faults;
    private final SandboxOrders orders;
    private final PayXml xml = new PayXml();
    private final WeChatIds ids;
    private final WeChatPayKeys keys;
    private final JsonMapper json = JsonMapper.builder().build();
    private final WebClient client;
    /** Completes when the sandbox shuts down, ending every pending retry schedule. */
    private final Sinks.One<Boolean> shutdown = Sinks.one();

    PayNotifier(SandboxProperties sandbox, PaySandboxProperties pay, FaultSwitches faults, SandboxOrders orders,
                WeChatIds ids, WeChatPayKeys keys, ReactorResourceFactory resources) {
        this.ids = ids;
        this.keys = keys;
        // the sandbox's own event loops (see SandboxApplication), not Reactor Netty's global ones
        this.client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(resources, http -> http))
                .build();
        this.sandbox = sandbox;
        this.pay = pay;
        this.faults = faults;
        this.orders = orders;
    }

    /** Starts the notify schedule for a freshly paid order (APIv2 or, for an RSA order, APIv3); returns at once. */
    public void paid(SandboxOrder order, SandboxProperties.Merchant merchant) {
        NotifyLog notifyLog = orders.notifyLog(order);
        if (faults.current().dropNotifies()) {
            log.info("fault dropNotifies: no notify for out_trade_no {}", order.outTradeNo());
            return;
        }
        Notify notify = order.signType() == SignType.RSA ? v3Notify(order, merchant) : v2Notify(order, merchant);
        Flux.fromIterable(scaledDelays())
                .concatMap(delay -> Mono.delay(delay).then(attempt(order, notify, notifyLog)))
                .takeUntil(Boolean::booleanValue)
                .takeUntilOther(shutdown.asMono())
                .subscribe(ack -> { }, e -> log.warn("notify schedule for out_trade_no {} broke", order.outTradeNo(), e));
    }

    /** One order's notify: the message of each attempt (signed afresh) and what counts as the merchant's acknowledgement. */
    private interface Notify {
        Message message(PayFaults faults);

        boolean acknowledges(int status, String reply);
    }

    /** One POST's content type, extra headers and body. */
    private record Message(MediaType contentType, Map<String, String> headers, String body) {
    }

    /** APIv2: signed XML, the same nonce_str every time; acknowledged by a 2xx carrying {@code return_code SUCCESS}. */
    private Notify v2Notify(SandboxOrder order, SandboxProperties.Merchant merchant) {
        Map<String, String> fields = notifyFields(order);
        PaySigner signer = new PaySigner(merchant.apiKey());
        return new Notify() {
            @Override
            public Message message(PayFaults current) {
                Map<String, String> signed = new LinkedHashMap<>(fields);
                String sign = signer.sign(fields, order.signType());
                signed.put("sign", current.badSignNotifies() ? corrupt(sign) : sign);
                return new Message(TEXT_XML_UTF8, Map.of(), xml.write(signed));
            }

            @Override
            public boolean acknowledges(int status, String reply) {
                return status >= 200 && status < 300 && acknowledgesV2(reply);
            }
        };
    }

    /**
     * APIv3: JSON whose {@code resource} is the transaction encrypted with the merchant's APIv3 key (associated data
     * "transaction"), the same body every time, {@code Wechatpay-*} headers signed afresh per attempt (WeChat's
     * signatures expire after five minutes); acknowledged by any 2xx, whatever its body.
     */
    private Notify v3Notify(SandboxOrder order, SandboxProperties.Merchant merchant) {
        PayV3Cipher cipher = keys.merchantCipher(merchant.mchId())
                .orElseThrow(() -> new IllegalStateException("merchant " + merchant.mchId() + " has no api-v3-key"));
        String nonce = keys.gcmNonce();
        String ciphertext = cipher.encrypt(TRANSACTION, nonce, json.writeValueAsString(order.asV3Transaction()));
        String body = json.writeValueAsString(new PayV3Notification(ids.notifyId(),
                WeChatIds.RFC3339.format(order.payment().paidAt()), PayV3Notification.TRANSACTION_SUCCESS,
                PayV3Notification.ENCRYPT_RESOURCE,
                new PayV3Notification.Resource(PayV3Cipher.ALGORITHM, ciphertext, TRANSACTION, TRANSACTION, nonce),
                "支付成功"));
        String serial = keys.serialFor(merchant);
        return new Notify() {
            @Override
            public Message message(PayFaults current) {
                PayV3Verifier.SignedHeaders signed = keys.sign(body, serial, current.badSignNotifies());
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put(PayV3Verifier.SignedHeaders.TIMESTAMP, signed.timestamp());
                headers.put(PayV3Verifier.SignedHeaders.NONCE, signed.nonce());
                headers.put(PayV3Verifier.SignedHeaders.SIGNATURE, signed.signature());
                headers.put(PayV3Verifier.SignedHeaders.SERIAL, signed.serial());
                headers.put("Wechatpay-Signature-Type", PayV3Signer.SCHEMA);
                return new Message(MediaType.APPLICATION_JSON, headers, body);
            }

            @Override
            public boolean acknowledges(int status, String reply) {
                return status >= 200 && status < 300;
            }
        };
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
    private Mono<Boolean> attempt(SandboxOrder order, Notify notify, NotifyLog notifyLog) {
        return Mono.defer(() -> {
            PayFaults current = faults.current();
            Message message = notify.message(current);
            return Flux.range(0, current.notifyCopies())
                    .flatMap(copy -> reorderWait(current).then(post(order.notifyUrl(), message, notify)))
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

    private Mono<NotifyAttempt> post(String notifyUrl, Message message, Notify notify) {
        return Mono.defer(() -> {
            Instant at = Instant.now();
            return client.post().uri(notifyUrl)
                    .contentType(message.contentType())
                    .headers(headers -> message.headers().forEach(headers::set))
                    .bodyValue(message.body())
                    .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                            .map(reply -> NotifyAttempt.answered(at, response.statusCode().value(), truncate(reply),
                                    notify.acknowledges(response.statusCode().value(), reply))))
                    .timeout(pay.notifyTimeout())
                    .onErrorResume(e -> Mono.just(NotifyAttempt.failed(at, describe(e))));
        });
    }

    private boolean acknowledgesV2(String reply) {
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
