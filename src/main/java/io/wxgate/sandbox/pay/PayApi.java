package io.wxgate.sandbox.pay;

import io.wxgate.pay.TradeState;
import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.sandbox.SandboxRandom;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * WeChat Pay APIv2 at WeChat's paths: unifiedorder, orderquery, closeorder. XML in, XML out, HTTP 200 always.
 * Protocol failures (unparseable XML, missing parameter, unknown merchant, bad sign) are
 * {@code return_code FAIL} with a {@code return_msg} and no sign, as at WeChat; business failures are signed
 * {@code return_code SUCCESS, result_code FAIL} replies with WeChat's {@code err_code}.
 */
@RestController
public class PayApi {

    private static final MediaType TEXT_XML_UTF8 = MediaType.parseMediaType("text/xml;charset=UTF-8");
    private static final List<String> UNIFIEDORDER_REQUIRED = List.of("appid", "mch_id", "nonce_str", "sign", "body",
            "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type");
    private static final List<String> QUERY_REQUIRED = List.of("appid", "mch_id", "nonce_str", "sign");
    private static final List<String> CLOSE_REQUIRED = List.of("appid", "mch_id", "out_trade_no", "nonce_str", "sign");
    /**
     * Fields that may differ between two unifiedorder calls for the same out_trade_no without it being
     * OUT_TRADE_NO_USED: they describe the call, not the order.
     */
    private static final Set<String> NOT_ORDER_TERMS = Set.of("nonce_str", "sign", "sign_type", "spbill_create_ip",
            "time_start");
    private static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    private static final long MAX_TOTAL_FEE = 10_000_000_000L;

    private final SandboxProperties sandbox;
    private final SandboxOrders orders;
    private final FaultSwitches faults;
    private final WeChatIds ids;
    private final SandboxRandom random;
    private final PayXml xml = new PayXml();

    PayApi(SandboxProperties sandbox, SandboxOrders orders, FaultSwitches faults, WeChatIds ids, SandboxRandom random) {
        this.sandbox = sandbox;
        this.orders = orders;
        this.faults = faults;
        this.ids = ids;
        this.random = random;
    }

    @PostMapping("/pay/unifiedorder")
    public Mono<ResponseEntity<String>> unifiedOrder(@RequestBody(required = false) byte[] body) {
        return answer(body, UNIFIEDORDER_REQUIRED, true, this::placeOrder);
    }

    @PostMapping("/pay/orderquery")
    public Mono<ResponseEntity<String>> orderQuery(@RequestBody(required = false) byte[] body) {
        return answer(body, QUERY_REQUIRED, true, this::queryOrder);
    }

    @PostMapping("/pay/closeorder")
    public Mono<ResponseEntity<String>> closeOrder(@RequestBody(required = false) byte[] body) {
        return answer(body, CLOSE_REQUIRED, false, this::closeOrder);
    }

    /** A request whose merchant is known and whose sign verified. */
    private record SignedRequest(Map<String, String> fields, SandboxProperties.Merchant merchant, SignType signType) {
        String get(String name) {
            return fields.get(name);
        }

        boolean has(String name) {
            String v = fields.get(name);
            return v != null && !v.isEmpty();
        }
    }

    /** A {@code return_code FAIL} answer: the request is not a well-formed, signed WeChat Pay call. */
    private static final class ProtocolFailure extends RuntimeException {
        ProtocolFailure(String returnMsg) {
            super(returnMsg, null, false, false);
        }
    }

    /**
     * The body is read as UTF-8 whatever charset the request declares, as WeChat does: WxJava, for one, sends UTF-8
     * bytes labelled ISO-8859-1.
     */
    private Mono<ResponseEntity<String>> answer(byte[] body, List<String> required, boolean mayFailWithSystemError,
                                                Function<SignedRequest, Map<String, String>> business) {
        PayFaults current = faults.current();
        Mono<String> reply = Mono.fromSupplier(() -> {
            SignedRequest request;
            try {
                request = verify(body == null ? "" : new String(body, StandardCharsets.UTF_8), required);
            } catch (ProtocolFailure e) {
                return fail(e.getMessage());
            }
            if (!request.merchant().appid().equals(request.get("appid"))) {
                return signed(request, refused(OrderError.APPID_MCHID_NOT_MATCH));
            }
            if (mayFailWithSystemError && random.nextDouble() < current.systemErrorRate()) {
                return signed(request, refused(OrderError.SYSTEMERROR));
            }
            try {
                return signed(request, business.apply(request));
            } catch (ProtocolFailure e) {
                return fail(e.getMessage());
            }
        });
        if (current.latencyMs() > 0) {
            reply = reply.delayElement(Duration.ofMillis(current.latencyMs()));
        }
        return reply.map(xmlText -> ResponseEntity.ok().contentType(TEXT_XML_UTF8).body(xmlText));
    }

    private SignedRequest verify(String body, List<String> required) {
        Map<String, String> fields;
        try {
            fields = xml.read(body);
        } catch (PayXml.MalformedPayXml e) {
            throw new ProtocolFailure("XML格式错误: " + e.getMessage());
        }
        for (String name : required) {
            String value = fields.get(name);
            if (value == null || value.isEmpty()) {
                throw new ProtocolFailure("缺少参数" + name);
            }
        }
        SandboxProperties.Merchant merchant = sandbox.merchant(fields.get("mch_id"))
                .orElseThrow(() -> new ProtocolFailure("mch_id参数错误: 商户号不存在"));
        SignType signType = SignType.fromWire(fields.get("sign_type"))
                .orElseThrow(() -> new ProtocolFailure("sign_type参数错误"));
        if (!new PaySigner(merchant.apiKey()).verify(fields, signType)) {
            throw new ProtocolFailure("签名错误");
        }
        return new SignedRequest(fields, merchant, signType);
    }

    private Map<String, String> placeOrder(SignedRequest request) {
        String tradeType = request.get("trade_type");
        if (tradeType.equals("JSAPI") && !request.has("openid")) {
            throw new ProtocolFailure("缺少参数openid");
        }
        String outTradeNo = request.get("out_trade_no");
        if (!OUT_TRADE_NO.matcher(outTradeNo).matches()) {
            throw new ProtocolFailure("out_trade_no参数长度有误");
        }
        if (request.get("body").getBytes(StandardCharsets.UTF_8).length > 128) {
            throw new ProtocolFailure("body参数长度有误");
        }
        if (!tradeType.equals("JSAPI")) {
            return refused(OrderError.PARAM_ERROR, "沙箱仅支持trade_type=JSAPI");
        }
        long totalFee = totalFee(request.get("total_fee"));
        if (totalFee <= 0) {
            return refused(OrderError.PARAM_ERROR, "total_fee参数错误: 须为正整数(分)");
        }
        if (!isHttpUrl(request.get("notify_url"))) {
            return refused(OrderError.PARAM_ERROR, "notify_url参数格式错误");
        }
        Map<String, String> terms = new TreeMap<>(request.fields());
        terms.keySet().removeAll(NOT_ORDER_TERMS);
        SandboxOrder proposed = new SandboxOrder(request.merchant().mchId(), request.get("appid"), outTradeNo, totalFee,
                request.get("openid"), request.get("notify_url"), tradeType, request.get("attach"), request.signType(),
                Map.copyOf(terms), null, null, TradeState.NOTPAY, null);
        SandboxOrders.Result result = orders.place(proposed, Instant.now());
        if (!result.isOk()) {
            return refused(result.error());
        }
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("result_code", "SUCCESS");
        reply.put("trade_type", tradeType);
        reply.put("prepay_id", result.order().prepayId());
        return reply;
    }

    private Map<String, String> queryOrder(SignedRequest request) {
        String mchId = request.merchant().mchId();
        SandboxOrder order;
        if (request.has("transaction_id")) {
            order = orders.findByTransactionId(mchId, request.get("transaction_id")).orElse(null);
        } else if (request.has("out_trade_no")) {
            order = orders.find(mchId, request.get("out_trade_no")).orElse(null);
        } else {
            throw new ProtocolFailure("缺少参数out_trade_no或transaction_id");
        }
        if (order == null) {
            return refused(OrderError.ORDERNOTEXIST);
        }
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("result_code", "SUCCESS");
        reply.put("out_trade_no", order.outTradeNo());
        reply.put("trade_state", order.state().name());
        reply.put("trade_state_desc", order.tradeStateDesc());
        if (order.attach() != null && !order.attach().isEmpty()) {
            reply.put("attach", order.attach());
        }
        if (order.state() == TradeState.SUCCESS) {
            SandboxOrder.Payment payment = order.payment();
            reply.put("openid", order.openid());
            reply.put("is_subscribe", "N");
            reply.put("trade_type", order.tradeType());
            reply.put("bank_type", payment.bankType());
            reply.put("total_fee", Long.toString(order.totalFee()));
            reply.put("cash_fee", Long.toString(payment.cashFee()));
            reply.put("fee_type", "CNY");
            reply.put("transaction_id", payment.transactionId());
            reply.put("time_end", WeChatIds.WECHAT_TIME.format(payment.paidAt()));
        }
        return reply;
    }

    private Map<String, String> closeOrder(SignedRequest request) {
        SandboxOrders.Result result = orders.close(request.merchant().mchId(), request.get("out_trade_no"));
        if (!result.isOk()) {
            return refused(result.error());
        }
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("result_code", "SUCCESS");
        reply.put("result_msg", "OK");
        return reply;
    }

    private String fail(String returnMsg) {
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("return_code", "FAIL");
        reply.put("return_msg", returnMsg);
        return xml.write(reply);
    }

    /** return_code SUCCESS + the business fields, signed with the merchant's key and the request's sign type. */
    private String signed(SignedRequest request, Map<String, String> business) {
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("return_code", "SUCCESS");
        reply.put("return_msg", "OK");
        reply.put("appid", request.get("appid"));
        reply.put("mch_id", request.merchant().mchId());
        reply.put("nonce_str", ids.nonce());
        reply.putAll(business);
        reply.put("sign", new PaySigner(request.merchant().apiKey()).sign(reply, request.signType()));
        return xml.write(reply);
    }

    private static Map<String, String> refused(OrderError error) {
        return refused(error, error.description());
    }

    private static Map<String, String> refused(OrderError error, String description) {
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("result_code", "FAIL");
        reply.put("err_code", error.name());
        reply.put("err_code_des", description);
        return reply;
    }

    private static long totalFee(String text) {
        if (!text.matches("[0-9]{1,11}")) {
            return -1;
        }
        long fee = Long.parseLong(text);
        return fee > MAX_TOTAL_FEE ? -1 : fee;
    }

    /** An absolute http(s) URL with a host: what WeChat accepts as a notify_url, in either API version. */
    static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
