package io.wxgate.pay;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.login.BearerToken;
import io.wxgate.login.SessionStore;
import io.wxgate.web.Require;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The seed's {@code POST /pay/} and the versioned order API under {@code /api/v1/pay/orders}. */
@RestController
public class PayController {

    private final OrderService service;
    private final SessionStore sessions;
    private final ClientIp clientIp;
    private final PayRandom random;
    private final PayProperties properties;

    public PayController(OrderService service, SessionStore sessions, ClientIp clientIp, PayRandom random,
                         PayProperties properties) {
        this.service = service;
        this.sessions = sessions;
        this.clientIp = clientIp;
        this.random = random;
        this.properties = properties;
    }

    /** The seed's body: money in fen (the mini-program sends 1) and the token from {@code POST /login/}. */
    public record SeedPayRequest(JsonNode money, String token) {
    }

    /** {@code total_fee} in fen; {@code body} is what the payer sees in WeChat, the configured text when absent. */
    public record CreateOrderRequest(@JsonProperty("total_fee") JsonNode totalFee,
                                     String body) {
    }

    @PostMapping({"/pay/", "/pay"})
    public Mono<Map<String, Object>> seedPay(@RequestBody(required = false) SeedPayRequest request,
                                            ServerWebExchange exchange) {
        String token = Require.text(request == null ? null : request.token(), "token");
        long fen = PayRequests.totalFee(request.money(), "money", properties.maxTotalFee());
        String ip = clientIp.of(exchange.getRequest());
        // the seed has no idempotency key: every call is a new order, as in the original Django view
        String key = "seed-" + random.nonceStr();
        return sessions.require(token)
                .flatMap(session -> service.create(session, fen, properties.body(), key, ip))
                .map(checkout -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("code", 0);
                    body.put("msg", "ok");
                    body.put("data", checkout.payment());
                    return body;
                });
    }

    @PostMapping("/api/v1/pay/orders")
    public Mono<ResponseEntity<OrderView>> create(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                                  @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
                                                  @RequestBody CreateOrderRequest request, ServerWebExchange exchange) {
        String token = BearerToken.from(authorization);
        String key = PayRequests.idempotencyKey(idempotencyKey);
        long fen = PayRequests.totalFee(request.totalFee(), "total_fee", properties.maxTotalFee());
        String body = PayRequests.body(request.body(), properties.body());
        String ip = clientIp.of(exchange.getRequest());
        return sessions.require(token)
                .flatMap(session -> service.create(session, fen, body, key, ip))
                .map(checkout -> ResponseEntity.created(URI.create("/api/v1/pay/orders/" + checkout.order().outTradeNo()))
                        .header("Idempotent-Replayed", Boolean.toString(checkout.replayed()))
                        .body(OrderView.of(checkout.order(), checkout.payment())));
    }

    @GetMapping("/api/v1/pay/orders/{outTradeNo}")
    public Mono<OrderView> get(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                               @PathVariable String outTradeNo) {
        String token = BearerToken.from(authorization);
        return sessions.require(token)
                .flatMap(session -> service.view(session, outTradeNo))
                .map(order -> OrderView.of(order, null));
    }

    @PostMapping("/api/v1/pay/orders/{outTradeNo}/close")
    public Mono<OrderView> close(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                 @PathVariable String outTradeNo) {
        String token = BearerToken.from(authorization);
        return sessions.require(token)
                .flatMap(session -> service.close(session, outTradeNo))
                .map(order -> OrderView.of(order, null));
    }
}
