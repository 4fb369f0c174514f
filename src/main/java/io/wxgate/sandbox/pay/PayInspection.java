package io.wxgate.sandbox.pay;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.wxgate.pay.TradeState;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;

/**
 * Test-facing JSON endpoints: what the sandbox's WeChat Pay knows about an order, its fault switches, and the public
 * half of its APIv3 keys (for printing a merchant's settings).
 */
@RestController
public class PayInspection {

    private final SandboxOrders orders;
    private final FaultSwitches faults;
    private final WeChatPayKeys keys;

    public PayInspection(SandboxOrders orders, FaultSwitches faults, WeChatPayKeys keys) {
        this.orders = orders;
        this.faults = faults;
        this.keys = keys;
    }

    /**
     * What a merchant configures to trust this sandbox's WeChat Pay: in public-key mode the public key and its
     * {@code PUB_KEY_ID_…}; in certificate mode nothing (the certificate comes from {@code /v3/certificates}), shown
     * here with its serial for checking. Public material only.
     */
    public record V3Keys(String publicKeyId, String publicKey, String certificateSerialNo, String certificate) {
    }

    /** An order and its notify history, as a test wants to see it. */
    public record OrderView(String outTradeNo, TradeState tradeState, long totalFee, String prepayId,
                            java.time.Instant prepayExpiresAt, String transactionId, List<NotifyAttempt> notifyAttempts,
                            boolean notifyAcknowledged) {
    }

    /** One order in the list: enough to check that the merchant recorded every payment exactly once. */
    public record OrderLine(String outTradeNo, TradeState tradeState, long totalFee, String transactionId,
                            int notifyAttempts, boolean notifyAcknowledged) {
    }

    /**
     * A {@code PUT /sandbox/faults} body; fields left out take {@link PayFaults#NONE}'s values, and an unknown
     * (misspelt) field is refused rather than silently ignored.
     */
    public record FaultsRequest(Long latencyMs, Double systemErrorRate, Integer notifyCopies, Boolean reorderNotifies,
                                Long reorderWindowMs, Boolean badSignNotifies, Boolean dropNotifies,
                                Boolean failRequestPayment, @JsonAnySetter Map<String, Object> unknown) {

        public FaultsRequest {
            if (unknown != null && !unknown.isEmpty()) {
                throw new IllegalArgumentException("unknown fault(s): " + unknown.keySet());
            }
        }

        PayFaults toFaults() {
            PayFaults d = PayFaults.NONE;
            return new PayFaults(
                    latencyMs != null ? latencyMs : d.latencyMs(),
                    systemErrorRate != null ? systemErrorRate : d.systemErrorRate(),
                    notifyCopies != null ? notifyCopies : d.notifyCopies(),
                    reorderNotifies != null ? reorderNotifies : d.reorderNotifies(),
                    reorderWindowMs != null ? reorderWindowMs : d.reorderWindowMs(),
                    badSignNotifies != null ? badSignNotifies : d.badSignNotifies(),
                    dropNotifies != null ? dropNotifies : d.dropNotifies(),
                    failRequestPayment != null ? failRequestPayment : d.failRequestPayment());
        }
    }

    @GetMapping("/sandbox/pay/orders/{outTradeNo}")
    public ResponseEntity<OrderView> order(@PathVariable String outTradeNo) {
        return orders.findAnyMerchant(outTradeNo)
                .map(order -> {
                    NotifyLog log = orders.existingNotifyLog(order).orElse(null);
                    return ResponseEntity.ok(new OrderView(order.outTradeNo(), order.state(), order.totalFee(),
                            order.prepayId(), order.prepayExpiresAt(),
                            order.payment() == null ? null : order.payment().transactionId(),
                            log == null ? List.of() : log.attempts(), log != null && log.acknowledged()));
                })
                .orElseGet(() -> ResponseEntity.notFound().build());
    }

    /** Every order the sandbox knows, or only those in {@code state} (e.g. {@code ?state=SUCCESS}: every payment made). */
    @GetMapping("/sandbox/pay/orders")
    public List<OrderLine> orders(@RequestParam(required = false) TradeState state) {
        return orders.all().stream()
                .filter(order -> state == null || order.state() == state)
                .map(order -> {
                    NotifyLog log = orders.existingNotifyLog(order).orElse(null);
                    return new OrderLine(order.outTradeNo(), order.state(), order.totalFee(),
                            order.payment() == null ? null : order.payment().transactionId(),
                            log == null ? 0 : log.attempts().size(), log != null && log.acknowledged());
                })
                .toList();
    }

    @GetMapping("/sandbox/pay/v3/keys")
    public V3Keys v3Keys() {
        return new V3Keys(keys.publicKeyId(), keys.publicKeyPem(), keys.certificateSerialNo(), keys.certificatePem());
    }

    @GetMapping("/sandbox/faults")
    public PayFaults faults() {
        return faults.current();
    }

    @PutMapping("/sandbox/faults")
    public PayFaults setFaults(@RequestBody FaultsRequest request) {
        PayFaults next = request.toFaults();
        faults.set(next);
        return next;
    }

    @DeleteMapping("/sandbox/faults")
    public PayFaults resetFaults() {
        faults.reset();
        return faults.current();
    }

    @ExceptionHandler({IllegalArgumentException.class, ServerWebInputException.class})
    public ResponseEntity<Map<String, String>> badFaults(Exception e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", String.valueOf(e.getMessage())));
    }
}
