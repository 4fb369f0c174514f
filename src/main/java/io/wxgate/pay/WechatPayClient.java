package io.wxgate.pay;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.wxgate.login.MiniappProperties;
import io.wxgate.overload.ConcurrencyGate;
import io.wxgate.overload.Overloaded;
import io.wxgate.overload.WeChatHttp;
import io.wxgate.web.GatewayException;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.net.ConnectException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * WeChat Pay APIv2 at its real paths ({@code /pay/unifiedorder}, {@code /pay/orderquery}, {@code /pay/closeorder}).
 * Each request is built and signed once, so every retry sends the very same fields; every reply must carry
 * WeChat's valid sign before anything in it is believed. Only calls that are safe to repeat are made here.
 */
@Component
public class WechatPayClient {

    private static final Logger log = LoggerFactory.getLogger(WechatPayClient.class);

    private final WebClient web;
    private final PayProperties properties;
    private final String appid;
    private final PaySigner signer;
    private final PayV2Envelope envelope;
    private final PayXml xml;
    private final PayRandom random;
    private final CircuitBreaker breaker;
    private final ConcurrencyGate gate;

    public WechatPayClient(WebClient wechatPayWebClient, PayProperties properties, MiniappProperties miniapp,
                           PaySigner signer, PayXml xml, PayRandom random, CircuitBreaker wechatPayCircuitBreaker,
                           ConcurrencyGate wechatPayGate) {
        this.web = wechatPayWebClient;
        this.properties = properties;
        this.appid = miniapp.appid();
        this.signer = signer;
        this.envelope = new PayV2Envelope(signer, appid, properties.mchId());
        this.xml = xml;
        this.random = random;
        this.breaker = wechatPayCircuitBreaker;
        this.gate = wechatPayGate;
    }

    /**
     * Runs {@code work} (which calls this client) under one admission to WeChat Pay, refusing it before it starts
     * when the gateway is too busy or WeChat Pay's circuit is open: work that writes before calling WeChat
     * writes nothing for a request WeChat would never hear of.
     */
    public <T> Mono<T> admitted(Mono<T> work) {
        return gate.admit(Mono.defer(() -> breaker.getState() == CircuitBreaker.State.OPEN
                ? Mono.error(circuitOpen()) : work));
    }

    /** Asks for a prepay_id. Safe to repeat: WeChat treats the same out_trade_no with the same fields as one order. */
    public Mono<Map<String, String>> unifiedOrder(PayOrder order) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("body", order.body());
        fields.put("out_trade_no", order.outTradeNo());
        fields.put("total_fee", Long.toString(order.totalFee()));
        fields.put("spbill_create_ip", order.spbillCreateIp());
        fields.put("notify_url", properties.notifyUrl().toString());
        fields.put("trade_type", "JSAPI");
        fields.put("openid", order.openid());
        return call("/pay/unifiedorder", fields, order.signType());
    }

    /** WeChat's view of the order: its trade_state, and for a paid one the payment and amount. */
    public Mono<PaymentReport> orderQuery(PayOrder order) {
        return call("/pay/orderquery", Map.of("out_trade_no", order.outTradeNo()), order.signType())
                .map(PaymentReport::fromV2Query);
    }

    /** Closes the order at WeChat so it can no longer be paid. */
    public Mono<Map<String, String>> closeOrder(PayOrder order) {
        return call("/pay/closeorder", Map.of("out_trade_no", order.outTradeNo()), order.signType());
    }

    private Mono<Map<String, String>> call(String path, Map<String, String> business, SignType signType) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", appid);
        fields.put("mch_id", properties.mchId());
        fields.put("nonce_str", random.nonceStr());
        fields.putAll(business);
        if (signType != SignType.MD5) {
            fields.put("sign_type", signType.wireName());
        }
        fields.put("sign", signer.sign(fields, signType));
        String body = xml.write(fields);
        PayProperties.Retry retry = properties.retry();
        return gate.admit(Mono.defer(() -> exchange(path, body, signType))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .retryWhen(Retry.backoff(retry.maxRetries(), retry.firstBackoff())
                        .maxBackoff(retry.maxBackoff())
                        .jitter(retry.jitter())
                        .filter(TransientPayFailure.class::isInstance)
                        .doBeforeRetry(signal -> log.info("retrying {} after {}", path, signal.failure().getMessage()))
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(e -> !(e instanceof GatewayException), e -> giveUp(path, e)));
    }

    /** One attempt: POST the signed XML, and believe the reply only once its own sign checks out. */
    private Mono<Map<String, String>> exchange(String path, String body, SignType signType) {
        return web.post().uri(path)
                .contentType(MediaType.TEXT_XML)
                .bodyValue(body)
                .exchangeToMono(response -> {
                    if (response.statusCode().is5xxServerError()) {
                        return response.releaseBody().then(Mono.error(new TransientPayFailure(
                                TransientPayFailure.Kind.HTTP_5XX, "HTTP " + response.statusCode().value())));
                    }
                    if (!response.statusCode().is2xxSuccessful()) {
                        return response.releaseBody().then(Mono.error(new WechatPayBadReply(
                                "WeChat Pay answered HTTP " + response.statusCode().value() + " on " + path)));
                    }
                    return response.bodyToMono(String.class).defaultIfEmpty("");
                })
                // a hard cap beside Netty's response timeout, which does not cover a reply that trickles in
                .timeout(properties.connectTimeout().plus(properties.responseTimeout()))
                .onErrorMap(WebClientRequestException.class, this::transport)
                .onErrorMap(TimeoutException.class, e -> new TransientPayFailure(TransientPayFailure.Kind.TIMEOUT,
                        "no reply within " + properties.responseTimeout()))
                .map(reply -> checked(path, reply, signType));
    }

    private Map<String, String> checked(String path, String reply, SignType signType) {
        Map<String, String> fields;
        try {
            fields = xml.read(reply);
        } catch (PayXml.MalformedPayXml e) {
            throw new WechatPayBadReply("WeChat Pay's reply to " + path + " is not valid Pay XML: " + e.getMessage());
        }
        if (!"SUCCESS".equals(fields.get("return_code"))) {
            // refused before any business logic (bad sign, bad XML, wrong merchant): unsigned, and no retry helps
            String msg = fields.getOrDefault("return_msg", "");
            throw new WechatPayRejected(HttpStatus.BAD_GATEWAY, "return_code=" + fields.get("return_code"),
                    "WeChat Pay refused the request to " + path + ": " + msg);
        }
        envelope.check(fields, signType).ifPresent(failure -> {
            throw new WechatPayBadReply(failure == PayV2Envelope.Failure.BAD_SIGN
                    ? "WeChat Pay's reply to " + path + " is unsigned or its sign is wrong"
                    : "WeChat Pay's reply to " + path + " is for another appid or merchant");
        });
        if (!"SUCCESS".equals(fields.get("result_code"))) {
            String errCode = fields.getOrDefault("err_code", "");
            if (errCode.equals("SYSTEMERROR")) {
                throw new TransientPayFailure(TransientPayFailure.Kind.SYSTEMERROR, "SYSTEMERROR on " + path);
            }
            throw rejected(errCode, fields.getOrDefault("err_code_des", ""));
        }
        return fields;
    }

    /** WeChat's err_code as the gateway's error type, with the status a mini-program backend can act on. */
    static GatewayException rejected(String errCode, String description) {
        return switch (errCode) {
            case "ORDERPAID" -> new OrderAlreadyPaid();
            case "ORDERCLOSED" -> new OrderClosed();
            case "ORDERNOTEXIST" -> new OrderUnknownToWechat();
            case "OUT_TRADE_NO_USED" -> new WechatPayRejected(HttpStatus.CONFLICT, errCode,
                    "WeChat Pay already has this out_trade_no with different fields");
            case "NOTENOUGH" -> new WechatPayRejected(HttpStatus.PAYMENT_REQUIRED, errCode,
                    "the payer's balance is not enough");
            case "SIGNERROR" -> new WechatPayRejected(HttpStatus.BAD_GATEWAY, errCode,
                    "WeChat Pay rejected the gateway's signature; check wechat.pay.api-key and wechat.pay.sign-type");
            case "APPID_NOT_EXIST", "MCHID_NOT_EXIST", "APPID_MCHID_NOT_MATCH", "NOAUTH" ->
                    new WechatPayRejected(HttpStatus.BAD_GATEWAY, errCode,
                            "WeChat Pay rejected the merchant configuration (" + errCode + ")");
            default -> new WechatPayRejected(HttpStatus.BAD_GATEWAY, errCode.isEmpty() ? "UNKNOWN" : errCode,
                    "WeChat Pay rejected the request: " + (errCode.isEmpty() ? "no err_code" : errCode)
                            + (description.isEmpty() ? "" : " (" + description + ")"));
        };
    }

    private RuntimeException transport(WebClientRequestException e) {
        if (WeChatHttp.poolExhausted(e)) {
            return new Overloaded("WeChat Pay", properties.gate().maxWait());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReadTimeoutException || t instanceof ConnectTimeoutException) {
                return new TransientPayFailure(TransientPayFailure.Kind.TIMEOUT, "timed out: " + t.getClass().getSimpleName());
            }
            if (t instanceof ConnectException) {
                return new TransientPayFailure(TransientPayFailure.Kind.CONNECT, "cannot connect: " + t.getMessage());
            }
        }
        return new TransientPayFailure(TransientPayFailure.Kind.CONNECT, "request failed: " + e.getMessage());
    }

    private WechatPayUnavailable circuitOpen() {
        return WechatPayUnavailable.circuitOpen(properties.breaker().waitInOpenState());
    }

    private GatewayException giveUp(String path, Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return circuitOpen();
        }
        if (e instanceof TransientPayFailure t) {
            log.warn("WeChat Pay {} failed after retries: {}", path, t.getMessage());
            return t.kind() == TransientPayFailure.Kind.TIMEOUT
                    ? new WechatPayTimeout("WeChat Pay did not answer in time; retry later")
                    : new WechatPayUnavailable("WeChat Pay is unavailable (" + t.kind() + "); retry later",
                            Duration.ofSeconds(5));
        }
        log.error("unexpected failure calling WeChat Pay {}", path, e);
        return new WechatPayBadReply("unexpected failure talking to WeChat Pay");
    }
}
