package io.wxgate.pay;

import io.wxgate.login.MiniappProperties;
import io.wxgate.web.GatewayException;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV2Envelope;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * WeChat Pay APIv2 at its real paths ({@code /pay/unifiedorder}, {@code /pay/orderquery}, {@code /pay/closeorder}).
 * Each request is built and signed once, so every retry sends the very same fields; every reply must carry
 * WeChat's valid sign before anything in it is believed. Only calls that are safe to repeat are made here; how they
 * are admitted, retried and broken is {@link WechatPayCalls}'s. A bean only when the APIv2 key is set.
 */
public class WechatPayClient implements WechatPayApi {

    /** APIv2's time_expire: yyyyMMddHHmmss in Beijing time. */
    private static final DateTimeFormatter TIME_EXPIRE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.ofHours(8));

    private final WebClient web;
    private final PayProperties properties;
    private final String appid;
    private final PaySigner signer;
    private final PayV2Envelope envelope;
    private final PayXml xml;
    private final PayRandom random;
    private final WechatPayCalls calls;

    public WechatPayClient(WebClient wechatPayWebClient, PayProperties properties, MiniappProperties miniapp,
                           PaySigner signer, PayV2Envelope envelope, PayXml xml, PayRandom random, WechatPayCalls calls) {
        this.web = wechatPayWebClient;
        this.properties = properties;
        this.appid = miniapp.appid();
        this.signer = signer;
        this.envelope = envelope;
        this.xml = xml;
        this.random = random;
        this.calls = calls;
    }

    @Override
    public Mono<String> prepay(PayOrder order) {
        return unifiedOrder(order).flatMap(reply -> {
            String prepayId = reply.get("prepay_id");
            return prepayId == null || prepayId.isBlank()
                    ? Mono.error(new WechatPayBadReply("WeChat Pay's unifiedorder reply has no prepay_id"))
                    : Mono.just(prepayId);
        });
    }

    /** Asks for a prepay_id. Safe to repeat: WeChat treats the same out_trade_no with the same fields as one order. */
    public Mono<Map<String, String>> unifiedOrder(PayOrder order) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("body", order.body());
        fields.put("out_trade_no", order.outTradeNo());
        fields.put("total_fee", Long.toString(order.totalFee()));
        fields.put("spbill_create_ip", order.spbillCreateIp());
        fields.put("notify_url", properties.notifyUrl(false));
        fields.put("time_expire", TIME_EXPIRE.format(order.timeExpire(properties.prepayValidity())));
        fields.put("trade_type", "JSAPI");
        fields.put("openid", order.openid());
        return call("/pay/unifiedorder", fields, order.signType());
    }

    /** WeChat's view of the order: its trade_state, and for a paid one the payment and amount. */
    @Override
    public Mono<PaymentReport> orderQuery(PayOrder order) {
        return call("/pay/orderquery", Map.of("out_trade_no", order.outTradeNo()), order.signType())
                .map(PaymentReport::fromV2Query);
    }

    /** Closes the order at WeChat so it can no longer be paid. */
    @Override
    public Mono<Void> closeOrder(PayOrder order) {
        return call("/pay/closeorder", Map.of("out_trade_no", order.outTradeNo()), order.signType()).then();
    }

    /** The second signature, over appId, timeStamp, nonceStr, package and signType, with the order's sign type. */
    @Override
    public PaymentParams params(PayOrder order) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appId", appid);
        fields.put("timeStamp", Long.toString(order.payTimestamp()));
        fields.put("nonceStr", order.payNonceStr());
        fields.put("package", "prepay_id=" + order.prepayId());
        fields.put("signType", order.signType().wireName());
        return new PaymentParams(fields.get("timeStamp"), fields.get("nonceStr"), fields.get("package"),
                fields.get("signType"), signer.sign(fields, order.signType()));
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
        return calls.call(path, Mono.defer(() -> exchange(path, body, signType)));
    }

    /** One attempt: POST the signed XML, and believe the reply only once its own sign checks out. */
    private Mono<Map<String, String>> exchange(String path, String body, SignType signType) {
        return calls.guarded(web.post().uri(path)
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
                        }))
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
}
