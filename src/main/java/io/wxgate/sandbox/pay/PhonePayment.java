package io.wxgate.sandbox.pay;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.sandbox.SandboxProperties;
import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayV3Signer;
import io.wxgate.wechat.PayV3Verifier;
import io.wxgate.wechat.SignType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/**
 * The phone's {@code wx.requestPayment}: takes exactly the object the mini-program passes to it, checks paySign the
 * way WeChat does (APIv2: over appId, timeStamp, nonceStr, package and signType with the merchant's API key;
 * signType RSA: SHA256withRSA over {@code appId\ntimeStamp\nnonceStr\npackage\n}, verified with the merchant's
 * public key), pays the order
 * and starts its notify. Answers {@code {"errMsg":"requestPayment:ok"}} or {@code {"errMsg":"requestPayment:fail ..."}}
 * with 400 (malformed call, unknown prepay_id, bad paySign), 409 (order paid, closed or prepay_id expired) or
 * 503 (fault {@code failRequestPayment}).
 */
@RestController
public class PhonePayment {

    private static final String PACKAGE_PREFIX = "prepay_id=";

    private final SandboxProperties sandbox;
    private final SandboxOrders orders;
    private final PayNotifier notifier;
    private final FaultSwitches faults;
    private final WeChatPayKeys keys;

    public PhonePayment(SandboxProperties sandbox, SandboxOrders orders, PayNotifier notifier, FaultSwitches faults,
                        WeChatPayKeys keys) {
        this.keys = keys;
        this.sandbox = sandbox;
        this.orders = orders;
        this.notifier = notifier;
        this.faults = faults;
    }

    /** The argument of wx.requestPayment, minus its callbacks; like WeChat, it ignores anything else (e.g. appId). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestPayment(String timeStamp, String nonceStr, @JsonProperty("package") String prepayPackage,
                                 String signType, String paySign) {
    }

    @PostMapping("/sandbox/wx/requestPayment")
    public Mono<ResponseEntity<Map<String, String>>> requestPayment(@RequestBody RequestPayment call) {
        return Mono.fromSupplier(() -> pay(call));
    }

    private ResponseEntity<Map<String, String>> pay(RequestPayment call) {
        if (faults.current().failRequestPayment()) {
            return fail(HttpStatus.SERVICE_UNAVAILABLE, "system busy (sandbox fault failRequestPayment)");
        }
        for (Map.Entry<String, String> field : Map.of("timeStamp", nullToEmpty(call.timeStamp()),
                "nonceStr", nullToEmpty(call.nonceStr()), "package", nullToEmpty(call.prepayPackage()),
                "paySign", nullToEmpty(call.paySign())).entrySet()) {
            if (field.getValue().isEmpty()) {
                return fail(HttpStatus.BAD_REQUEST, "missing " + field.getKey());
            }
        }
        if (!call.prepayPackage().startsWith(PACKAGE_PREFIX)) {
            return fail(HttpStatus.BAD_REQUEST, "package must be prepay_id=...");
        }
        // wx.requestPayment's signType defaults to MD5, and the signature then covers signType=MD5.
        String signTypeName = call.signType() == null || call.signType().isEmpty() ? "MD5" : call.signType();
        boolean rsa = signTypeName.equals(SignType.RSA.wireName());
        Optional<SignType> signType = rsa ? Optional.of(SignType.RSA) : SignType.fromWire(signTypeName);
        if (signType.isEmpty()) {
            return fail(HttpStatus.BAD_REQUEST, "unsupported signType");
        }
        String prepayId = call.prepayPackage().substring(PACKAGE_PREFIX.length());
        Optional<SandboxOrder> order = orders.findByPrepayId(prepayId);
        Optional<SandboxProperties.Merchant> merchant = order.flatMap(o -> sandbox.merchant(o.mchId()));
        if (merchant.isEmpty()) {
            return fail(HttpStatus.BAD_REQUEST, "prepay_id not found");
        }
        if (rsa != (order.get().signType() == SignType.RSA)) {
            // an order keeps its API version for life: an APIv3 prepay_id is paid with RSA, an APIv2 one without
            return fail(HttpStatus.BAD_REQUEST, "支付验证签名失败 (signType " + signTypeName + " does not match an "
                    + (rsa ? "APIv2" : "APIv3") + " order)");
        }
        boolean signed = rsa ? rsaPaySignVerifies(call, order.get()) : v2PaySignVerifies(call, order.get(),
                merchant.get(), signTypeName, signType.get());
        if (!signed) {
            return fail(HttpStatus.BAD_REQUEST, "支付验证签名失败 (paySign does not verify)");
        }
        SandboxOrders.Result result = orders.pay(prepayId, Instant.now());
        if (!result.isOk()) {
            return fail(HttpStatus.CONFLICT, switch (result.error()) {
                case ORDERPAID -> "order already paid";
                case ORDERCLOSED -> "order closed";
                case PREPAY_EXPIRED -> "prepay_id expired";
                default -> result.error().description();
            });
        }
        notifier.paid(result.order(), merchant.get());
        return ResponseEntity.ok(Map.of("errMsg", "requestPayment:ok"));
    }

    /** APIv2: MD5 or HMAC-SHA256 with the API key over appId, timeStamp, nonceStr, package and signType. */
    private static boolean v2PaySignVerifies(RequestPayment call, SandboxOrder order, SandboxProperties.Merchant merchant,
                                             String signTypeName, SignType signType) {
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("appId", order.appid());
        signed.put("timeStamp", call.timeStamp());
        signed.put("nonceStr", call.nonceStr());
        signed.put("package", call.prepayPackage());
        signed.put("signType", signTypeName);
        signed.put("sign", call.paySign());
        return new PaySigner(merchant.apiKey()).verify(signed, signType);
    }

    /** APIv3: SHA256withRSA with the merchant's private key over {@code appId\ntimeStamp\nnonceStr\npackage\n}. */
    private boolean rsaPaySignVerifies(RequestPayment call, SandboxOrder order) {
        return keys.merchantKey(order.mchId())
                .map(key -> PayV3Verifier.verifies(key, PayV3Signer.message(order.appid(), call.timeStamp(),
                        call.nonceStr(), call.prepayPackage()), call.paySign()))
                .orElse(false);
    }

    @ExceptionHandler(ServerWebInputException.class)
    public ResponseEntity<Map<String, String>> malformed(ServerWebInputException e) {
        return fail(HttpStatus.BAD_REQUEST, "malformed JSON body");
    }

    private static ResponseEntity<Map<String, String>> fail(HttpStatus status, String reason) {
        return ResponseEntity.status(status).body(Map.of("errMsg", "requestPayment:fail " + reason));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
