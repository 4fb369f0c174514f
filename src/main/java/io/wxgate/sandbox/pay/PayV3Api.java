package io.wxgate.sandbox.pay;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.pay.TradeState;
import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.sandbox.SandboxRandom;
import io.wxgate.wechat.PayV3Authorization;
import io.wxgate.wechat.PayV3Certificates;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3Verifier;
import io.wxgate.wechat.SignType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat Pay APIv3 at WeChat's paths: JSAPI prepay, query and close by out_trade_no, and {@code /v3/certificates}.
 * JSON in, JSON out. Every request's {@code Authorization} is checked against the calling merchant's public key and
 * certificate serial; every reply, errors and bodyless 204s included, is signed with the sandbox's WeChat Pay key
 * ({@code Wechatpay-*} headers naming the key id or the platform certificate, per the merchant's verification mode).
 * Errors are {@code {"code","message"}}: 400 PARAM_ERROR (unknown mchid, malformed JSON, missing or bad field),
 * 400 APPID_MCHID_NOT_MATCH, 400 INVALID_REQUEST (out_trade_no reused with other terms), 400 ORDERPAID,
 * 400 ORDER_CLOSED, 401 SIGN_ERROR (missing, malformed, stale or forged Authorization, wrong serial),
 * 404 ORDER_NOT_EXIST, 404 RESOURCE_NOT_EXISTS (certificates for a public-key merchant), 500 SYSTEM_ERROR (fault).
 * Orders live in the same {@link SandboxOrders} as APIv2's, with sign type RSA.
 */
@RestController
public class PayV3Api {

    private static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    /** WeChat documents no exact window; the sandbox refuses what the SDK would refuse of it. */
    private static final Duration MAX_REQUEST_SKEW = PayV3Verifier.MAX_SKEW;
    private static final long MAX_TOTAL = 10_000_000_000L;

    private final SandboxProperties sandbox;
    private final SandboxOrders orders;
    private final FaultSwitches faults;
    private final WeChatPayKeys keys;
    private final SandboxRandom random;
    private final JsonMapper json = JsonMapper.builder().build();

    PayV3Api(SandboxProperties sandbox, SandboxOrders orders, FaultSwitches faults, WeChatPayKeys keys,
             SandboxRandom random) {
        this.sandbox = sandbox;
        this.orders = orders;
        this.faults = faults;
        this.keys = keys;
        this.random = random;
    }

    /** The JSAPI prepay body; unknown fields (goods_tag, detail, scene_info, ...) are accepted and ignored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record JsapiRequest(String appid, String mchid, String description,
                        @JsonProperty("out_trade_no") String outTradeNo,
                        @JsonProperty("time_expire") String timeExpire,
                        String attach,
                        @JsonProperty("notify_url") String notifyUrl,
                        Amount amount, Payer payer) {

        @JsonIgnoreProperties(ignoreUnknown = true)
        record Amount(Long total, String currency) {
        }

        @JsonIgnoreProperties(ignoreUnknown = true)
        record Payer(String openid) {
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CloseRequest(String mchid) {
    }

    /** A reply before it is signed: its status and JSON body, none for a 204. */
    private record Reply(HttpStatus status, Object body) {
    }

    /** A v3 error reply: {@code {"code","message"}} with its HTTP status. */
    private static final class V3Error extends RuntimeException {
        private final HttpStatus status;
        private final String code;

        V3Error(HttpStatus status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        static V3Error param(String message) {
            return new V3Error(HttpStatus.BAD_REQUEST, "PARAM_ERROR", message);
        }

        static V3Error missing(String field) {
            return param("输入源“" + field + "”映射到值字段必填性规则校验失败，此字段为必填项");
        }

        static V3Error sign(String message) {
            return new V3Error(HttpStatus.UNAUTHORIZED, "SIGN_ERROR", message);
        }
    }

    /** What a call does once its caller is known and its signature verified. */
    @FunctionalInterface
    private interface Business {
        Reply apply(SandboxProperties.Merchant merchant, String body);
    }

    @PostMapping("/v3/pay/transactions/jsapi")
    public Mono<ResponseEntity<byte[]>> jsapi(ServerHttpRequest request, @RequestBody(required = false) byte[] body) {
        return answer(request, body, true, this::prepay);
    }

    @GetMapping("/v3/pay/transactions/out-trade-no/{outTradeNo}")
    public Mono<ResponseEntity<byte[]>> query(ServerHttpRequest request, @PathVariable String outTradeNo) {
        return answer(request, null, true, (merchant, body) -> query(merchant, outTradeNo,
                request.getQueryParams().getFirst("mchid")));
    }

    @PostMapping("/v3/pay/transactions/out-trade-no/{outTradeNo}/close")
    public Mono<ResponseEntity<byte[]>> close(ServerHttpRequest request, @PathVariable String outTradeNo,
                                              @RequestBody(required = false) byte[] body) {
        return answer(request, body, false, (merchant, text) -> close(merchant, outTradeNo, text));
    }

    @GetMapping("/v3/certificates")
    public Mono<ResponseEntity<byte[]>> certificates(ServerHttpRequest request) {
        return answer(request, null, false, (merchant, body) -> certificates(merchant));
    }

    private Mono<ResponseEntity<byte[]>> answer(ServerHttpRequest request, byte[] body, boolean mayFailWithSystemError,
                                                Business business) {
        PayFaults current = faults.current();
        Mono<ResponseEntity<byte[]>> reply = Mono.fromSupplier(() -> {
            String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            SandboxProperties.Merchant merchant = null;
            Reply answer;
            try {
                merchant = authenticate(request, text);
                if (mayFailWithSystemError && random.nextDouble() < current.systemErrorRate()) {
                    throw new V3Error(HttpStatus.INTERNAL_SERVER_ERROR, "SYSTEM_ERROR", "系统错误");
                }
                answer = business.apply(merchant, text);
            } catch (V3Error e) {
                Map<String, String> error = new LinkedHashMap<>();
                error.put("code", e.code);
                error.put("message", e.getMessage());
                answer = new Reply(e.status, error);
            }
            return signed(answer, merchant == null ? keys.publicKeyId() : keys.serialFor(merchant));
        });
        if (current.latencyMs() > 0) {
            reply = reply.delayElement(Duration.ofMillis(current.latencyMs()));
        }
        return reply;
    }

    /** The merchant whose key signed this request, or the reason it is refused. */
    private SandboxProperties.Merchant authenticate(ServerHttpRequest request, String body) {
        String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isEmpty()) {
            throw V3Error.sign("HTTP头缺少Authorization，请按APIv3签名规则生成");
        }
        PayV3Authorization auth = PayV3Authorization.parse(header)
                .orElseThrow(() -> V3Error.sign("Authorization格式错误，应为WECHATPAY2-SHA256-RSA2048 mchid=\"…\",nonce_str=\"…\","
                        + "timestamp=\"…\",serial_no=\"…\",signature=\"…\""));
        SandboxProperties.Merchant merchant = sandbox.merchant(auth.mchid())
                .orElseThrow(() -> V3Error.param("商户号" + auth.mchid() + "不存在"));
        PublicKey merchantKey = keys.merchantKey(merchant.mchId()).filter(k -> merchant.apiV3())
                .orElseThrow(() -> V3Error.sign("商户未配置APIv3证书与APIv3密钥，无法验证签名"));
        if (!merchant.merchantSerialNo().equalsIgnoreCase(auth.serialNo())) {
            throw V3Error.sign("商户证书序列号有误。请使用签名私钥匹配的证书序列号");
        }
        long skew = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(auth.timestamp()));
        if (skew >= MAX_REQUEST_SKEW.toSeconds()) {
            throw V3Error.sign("Authorization中的timestamp与当前时间相差过大，请检查系统时间");
        }
        URI uri = request.getURI();
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        if (!auth.signs(merchantKey, request.getMethod().name(), pathAndQuery, body)) {
            throw V3Error.sign("错误的签名，验签失败");
        }
        return merchant;
    }

    private Reply prepay(SandboxProperties.Merchant merchant, String body) {
        JsapiRequest call = read(body, JsapiRequest.class);
        required(call.appid(), "/body/appid");
        required(call.mchid(), "/body/mchid");
        required(call.description(), "/body/description");
        required(call.outTradeNo(), "/body/out_trade_no");
        required(call.notifyUrl(), "/body/notify_url");
        if (call.amount() == null || call.amount().total() == null) {
            throw V3Error.missing("/body/amount/total");
        }
        if (call.payer() == null) {
            throw V3Error.missing("/body/payer/openid");
        }
        required(call.payer().openid(), "/body/payer/openid");
        sameMerchant(merchant, call.mchid(), "/body/mchid");
        if (!merchant.appid().equals(call.appid())) {
            throw new V3Error(HttpStatus.BAD_REQUEST, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配，请检查后再试");
        }
        if (!OUT_TRADE_NO.matcher(call.outTradeNo()).matches()) {
            throw V3Error.param("输入源“/body/out_trade_no”映射到值字段“商户订单号”字符串规则校验失败，"
                    + "只能是数字、大小写字母_-|*@，且不超过32个字符");
        }
        if (call.description().getBytes(StandardCharsets.UTF_8).length > 127) {
            throw V3Error.param("输入源“/body/description”映射到值字段“商品描述”字符串规则校验失败，字节数 "
                    + call.description().getBytes(StandardCharsets.UTF_8).length + "，大于最大值 127");
        }
        long total = call.amount().total();
        if (total < 1 || total > MAX_TOTAL) {
            throw V3Error.param("输入源“/body/amount/total”映射到值字段“总金额”数值规则校验失败，须为正整数(分)");
        }
        String currency = call.amount().currency() == null ? "CNY" : call.amount().currency();
        if (!currency.equals("CNY")) {
            throw V3Error.param("输入源“/body/amount/currency”映射到值字段“货币类型”规则校验失败，境内商户仅支持CNY");
        }
        if (!PayApi.isHttpUrl(call.notifyUrl())) {
            throw V3Error.param("输入源“/body/notify_url”映射到值字段“通知地址”规则校验失败，须为http(s)地址");
        }
        if (call.timeExpire() != null) {
            Instant end;
            try {
                end = OffsetDateTime.parse(call.timeExpire()).toInstant();
            } catch (DateTimeParseException e) {
                throw V3Error.param("输入源“/body/time_expire”映射到值字段“交易结束时间”规则校验失败，须为RFC3339格式，如2018-06-08T10:34:56+08:00");
            }
            // WeChat refuses an order whose payment window has (all but) ended
            if (end.isBefore(Instant.now().plusSeconds(60))) {
                throw V3Error.param("time_expire时间过短，请重新设置");
            }
        }
        Map<String, String> terms = new TreeMap<>();
        terms.put("appid", call.appid());
        terms.put("description", call.description());
        terms.put("notify_url", call.notifyUrl());
        terms.put("amount.total", Long.toString(total));
        terms.put("amount.currency", currency);
        terms.put("payer.openid", call.payer().openid());
        if (call.timeExpire() != null) {
            terms.put("time_expire", call.timeExpire());
        }
        if (call.attach() != null) {
            terms.put("attach", call.attach());
        }
        SandboxOrder proposed = new SandboxOrder(merchant.mchId(), call.appid(), call.outTradeNo(), total,
                call.payer().openid(), call.notifyUrl(), "JSAPI", call.attach(), SignType.RSA, Map.copyOf(terms),
                null, null, TradeState.NOTPAY, null);
        SandboxOrders.Result result = orders.place(proposed, Instant.now());
        if (!result.isOk()) {
            throw refused(result.error());
        }
        return new Reply(HttpStatus.OK, Map.of("prepay_id", result.order().prepayId()));
    }

    private Reply query(SandboxProperties.Merchant merchant, String outTradeNo, String mchid) {
        required(mchid, "/query/mchid");
        sameMerchant(merchant, mchid, "/query/mchid");
        SandboxOrder order = orders.find(merchant.mchId(), outTradeNo)
                .orElseThrow(() -> new V3Error(HttpStatus.NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在"));
        return new Reply(HttpStatus.OK, order.asV3Transaction());
    }

    /**
     * An unpaid order closes at once (APIv3 documents no minimum age); closing a closed or unknown order is a 204 as
     * at WeChat, which only checks the request; a paid one is ORDERPAID.
     */
    private Reply close(SandboxProperties.Merchant merchant, String outTradeNo, String body) {
        CloseRequest call = read(body, CloseRequest.class);
        required(call.mchid(), "/body/mchid");
        sameMerchant(merchant, call.mchid(), "/body/mchid");
        SandboxOrders.Result result = orders.close(merchant.mchId(), outTradeNo);
        if (!result.isOk() && result.error() == OrderError.ORDERPAID) {
            throw refused(OrderError.ORDERPAID);
        }
        return new Reply(HttpStatus.NO_CONTENT, null);
    }

    private Reply certificates(SandboxProperties.Merchant merchant) {
        if (merchant.verification() != SandboxProperties.Verification.CERTIFICATE) {
            throw new V3Error(HttpStatus.NOT_FOUND, "RESOURCE_NOT_EXISTS",
                    "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥");
        }
        PayV3Cipher cipher = keys.merchantCipher(merchant.mchId())
                .orElseThrow(() -> V3Error.sign("商户未配置APIv3密钥"));
        String nonce = keys.gcmNonce();
        PayV3Notification.Resource encrypted = new PayV3Notification.Resource(PayV3Cipher.ALGORITHM,
                cipher.encrypt(PayV3Certificates.ASSOCIATED_DATA, nonce, keys.certificatePem()),
                PayV3Certificates.ASSOCIATED_DATA, null, nonce);
        return new Reply(HttpStatus.OK, new PayV3Certificates(List.of(new PayV3Certificates.Certificate(
                keys.certificateSerialNo(),
                WeChatIds.RFC3339.format(keys.certificate().getNotBefore().toInstant()),
                WeChatIds.RFC3339.format(keys.certificate().getNotAfter().toInstant()),
                encrypted))));
    }

    private ResponseEntity<byte[]> signed(Reply reply, String serial) {
        String body = reply.body() == null ? "" : json.writeValueAsString(reply.body());
        PayV3Verifier.SignedHeaders signed = keys.sign(body, serial, false);
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(reply.status())
                .header(PayV3Verifier.SignedHeaders.TIMESTAMP, signed.timestamp())
                .header(PayV3Verifier.SignedHeaders.NONCE, signed.nonce())
                .header(PayV3Verifier.SignedHeaders.SIGNATURE, signed.signature())
                .header(PayV3Verifier.SignedHeaders.SERIAL, signed.serial())
                .header("Request-ID", random.alnum(32));
        if (body.isEmpty()) {
            return builder.build();
        }
        return builder.contentType(MediaType.APPLICATION_JSON).body(body.getBytes(StandardCharsets.UTF_8));
    }

    private <T> T read(String body, Class<T> type) {
        if (body.isBlank()) {
            throw V3Error.param("请求体为空，须为JSON");
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw V3Error.param("请求体须为JSON对象");
            }
            return value;
        } catch (JacksonException e) {
            throw V3Error.param("请求体不是合法的JSON，请检查格式");
        }
    }

    private static void required(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw V3Error.missing(field);
        }
    }

    private static void sameMerchant(SandboxProperties.Merchant merchant, String mchid, String field) {
        if (!merchant.mchId().equals(mchid)) {
            throw V3Error.param("输入源“" + field + "”的商户号与Authorization中的商户号(发起方)不一致");
        }
    }

    private static V3Error refused(OrderError error) {
        return switch (error) {
            case OUT_TRADE_NO_USED -> new V3Error(HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "201 商户订单号重复");
            case ORDERPAID -> new V3Error(HttpStatus.BAD_REQUEST, "ORDERPAID", "该订单已支付");
            case ORDERCLOSED -> new V3Error(HttpStatus.BAD_REQUEST, "ORDER_CLOSED", "订单已关闭");
            case ORDERNOTEXIST -> new V3Error(HttpStatus.NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在");
            default -> new V3Error(HttpStatus.INTERNAL_SERVER_ERROR, "SYSTEM_ERROR", "系统错误");
        };
    }
}
