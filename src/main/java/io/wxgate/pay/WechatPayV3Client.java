package io.wxgate.pay;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.wxgate.web.GatewayException;
import io.wxgate.wechat.PayV3Certificates;
import io.wxgate.wechat.PayV3Cipher;
import io.wxgate.wechat.PayV3Notification;
import io.wxgate.wechat.PayV3JsapiOrder;
import io.wxgate.wechat.PayV3Keys;
import io.wxgate.wechat.PayV3Transaction;
import io.wxgate.wechat.PayV3Verifier;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat Pay APIv3 at its real paths: JSAPI prepay, query by out_trade_no, close, and the platform certificates.
 * Every request carries the merchant's {@code Authorization} signature (made afresh for each try, over the exact
 * path and body sent); every 2xx reply is believed only once its {@code Wechatpay-Signature} verifies over its raw
 * bytes with a key WeChat Pay's serial names. Admission, retries and the breaker are {@link WechatPayCalls}'s.
 */
public final class WechatPayV3Client implements WechatPayApi {

    private static final Logger log = LoggerFactory.getLogger(WechatPayV3Client.class);
    /** WeChat's time_expire: RFC 3339 at +08:00, to the second. */
    private static final DateTimeFormatter TIME_EXPIRE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
            .withZone(ZoneOffset.ofHours(8));

    private final WebClient web;
    private final URI baseUrl;
    private final PayProperties properties;
    private final String appid;
    private final PayV3Credentials credentials;
    private final PayV3Verifier verifier;
    private final Supplier<String> serialToSend;
    private final PayRandom random;
    private final WechatPayCalls calls;
    private final JsonMapper json;

    public WechatPayV3Client(WebClient wechatPayWebClient, PayProperties properties, String appid,
                             PayV3Credentials credentials, PayV3Verifier verifier, Supplier<String> serialToSend,
                             PayRandom random, WechatPayCalls calls, JsonMapper json) {
        this.web = wechatPayWebClient;
        this.baseUrl = properties.baseUrl();
        this.properties = properties;
        this.appid = appid;
        this.credentials = credentials;
        this.verifier = verifier;
        this.serialToSend = serialToSend;
        this.random = random;
        this.calls = calls;
        this.json = json;
    }

    @Override
    public Mono<String> prepay(PayOrder order) {
        PayV3JsapiOrder request = new PayV3JsapiOrder(appid, credentials.mchid(), order.body(), order.outTradeNo(),
                TIME_EXPIRE.format(order.timeExpire(properties.prepayValidity())), null, properties.notifyUrl(true),
                new PayV3Transaction.Amount(order.totalFee(), null, "CNY", null),
                new PayV3Transaction.Payer(order.openid()));
        return call(HttpMethod.POST, "/v3/pay/transactions/jsapi", "/v3/pay/transactions/jsapi", Map.of(),
                json.writeValueAsString(request), true)
                .map(reply -> read(reply, PrepayReply.class, "prepay"))
                .flatMap(reply -> reply.prepayId() == null || reply.prepayId().isBlank()
                        ? Mono.error(new WechatPayBadReply("WeChat Pay's prepay reply has no prepay_id"))
                        : Mono.just(reply.prepayId()));
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PrepayReply(@JsonProperty("prepay_id") String prepayId) {
    }

    @Override
    public Mono<PaymentReport> orderQuery(PayOrder order) {
        return call(HttpMethod.GET, "/v3/pay/transactions/out-trade-no/{out_trade_no}",
                "/v3/pay/transactions/out-trade-no/" + order.outTradeNo(), Map.of("mchid", credentials.mchid()), null, true)
                .map(reply -> read(reply, PayV3Transaction.class, "query"))
                .map(transaction -> {
                    if (!appid.equals(transaction.appid()) || !credentials.mchid().equals(transaction.mchid())) {
                        throw new WechatPayBadReply("WeChat Pay's query reply is for another appid or merchant");
                    }
                    return PaymentReport.fromV3(transaction);
                });
    }

    @Override
    public Mono<Void> closeOrder(PayOrder order) {
        return call(HttpMethod.POST, "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
                "/v3/pay/transactions/out-trade-no/" + order.outTradeNo() + "/close", Map.of(),
                json.writeValueAsString(Map.of("mchid", credentials.mchid())), true)
                .flatMap(reply -> reply.status() == HttpStatus.ACCEPTED.value()
                        ? Mono.error(new OrderInProgress()) : Mono.<Void>empty());
    }

    /** {@code wx.requestPayment} for APIv3: signType RSA, paySign by the merchant key over appId, timeStamp, nonceStr, package. */
    @Override
    public PaymentParams params(PayOrder order) {
        String timeStamp = Long.toString(order.payTimestamp());
        String packageValue = "prepay_id=" + order.prepayId();
        return new PaymentParams(timeStamp, order.payNonceStr(), packageValue, "RSA",
                credentials.signer().paySign(appid, timeStamp, order.payNonceStr(), packageValue));
    }

    /**
     * The platform certificates, by serial: decrypted with the APIv3 key (which authenticates them: AES-GCM with a
     * key only WeChat and the merchant hold), each checked to carry the serial it is listed under.
     */
    public Mono<Map<String, X509Certificate>> downloadCertificates() {
        return call(HttpMethod.GET, "/v3/certificates", "/v3/certificates", Map.of("algorithm_type", "RSA"), null, false)
                .map(reply -> read(reply, PayV3Certificates.class, "certificates"))
                .map(this::certificates);
    }

    private Map<String, X509Certificate> certificates(PayV3Certificates list) {
        Map<String, X509Certificate> out = new LinkedHashMap<>();
        for (PayV3Certificates.Certificate listed : list.data() == null ? List.<PayV3Certificates.Certificate>of()
                : list.data()) {
            PayV3Notification.Resource sealed = listed.encryptCertificate();
            if (sealed == null || !PayV3Cipher.ALGORITHM.equals(sealed.algorithm())) {
                continue;
            }
            try {
                X509Certificate certificate = PayV3Keys.certificate(credentials.cipher()
                        .decrypt(sealed.associatedData(), sealed.nonce(), sealed.ciphertext()));
                // compared as numbers: WeChat may write a serial with a leading zero that BigInteger's hex drops
                if (listed.serialNo() != null && listed.serialNo().matches("[0-9A-Fa-f]{1,64}")
                        && new java.math.BigInteger(listed.serialNo(), 16).equals(certificate.getSerialNumber())) {
                    out.put(listed.serialNo(), certificate);
                } else {
                    log.warn("platform certificate listed as {} carries another serial; ignored", listed.serialNo());
                }
            } catch (PayV3Cipher.Undecryptable | PayV3Keys.BadKey e) {
                log.warn("platform certificate {} cannot be decrypted with the APIv3 key or parsed; ignored",
                        listed.serialNo());
            }
        }
        if (out.isEmpty()) {
            throw new WechatPayBadReply("WeChat Pay listed no platform certificate that decrypts with the APIv3 key");
        }
        return out;
    }

    /** A reply as received: status, the headers that sign it, and the raw body bytes. */
    record Reply(int status, HttpHeaders headers, byte[] body) {
    }

    /** {@code template} names the call in metrics and logs; {@code path} is what is sent and signed. */
    private Mono<Reply> call(HttpMethod method, String template, String path, Map<String, String> query, String body,
                             boolean verify) {
        UriComponentsBuilder uri = UriComponentsBuilder.fromUri(baseUrl).path(path);
        query.forEach(uri::queryParam);
        URI target = uri.encode().build().toUri();
        String signedPath = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        return calls.call(method + " " + template, Mono.defer(() -> exchange(method, target, signedPath, body))
                .map(reply -> checked(method, template, reply, verify)));
    }

    private Mono<Reply> exchange(HttpMethod method, URI target, String signedPath, String body) {
        String authorization = credentials.signer().authorization(credentials.mchid(), credentials.merchantSerialNo(),
                method.name(), signedPath, body, Instant.now().getEpochSecond(), random.nonceStr());
        WebClient.RequestBodySpec request = web.method(method).uri(target)
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .header(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
                .header(PayV3Verifier.SignedHeaders.SERIAL, serialToSend.get());
        WebClient.RequestHeadersSpec<?> ready = body == null ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return calls.guarded(ready.exchangeToMono(response -> response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .map(bytes -> new Reply(response.statusCode().value(), response.headers().asHttpHeaders(), bytes))));
    }

    private Reply checked(HttpMethod method, String path, Reply reply, boolean verify) {
        if (reply.status() >= 200 && reply.status() < 300) {
            if (verify) {
                HttpHeaders h = reply.headers();
                Optional<PayV3Verifier.Failure> failure = verifier.verify(PayV3Verifier.SignedHeaders.from(h::getFirst),
                        reply.body(), Instant.now());
                if (failure.isPresent()) {
                    log.warn("WeChat Pay's reply to {} {} is not believed: {} (serial {})", method, path, failure.get(),
                            h.getFirst(PayV3Verifier.SignedHeaders.SERIAL));
                    throw new WechatPayBadReply("WeChat Pay's reply to " + path + " is not signed by WeChat Pay");
                }
            }
            return reply;
        }
        ErrorReply error = errorOf(reply.body());
        if (reply.status() >= 500) {
            throw new TransientPayFailure(error.code() != null && error.code().equals("SYSTEM_ERROR")
                    ? TransientPayFailure.Kind.SYSTEMERROR : TransientPayFailure.Kind.HTTP_5XX,
                    "HTTP " + reply.status() + " " + error.code() + " on " + path);
        }
        throw rejected(reply.status(), error.code() == null ? "" : error.code(),
                error.message() == null ? "" : error.message());
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorReply(String code, String message) {
    }

    private ErrorReply errorOf(byte[] body) {
        try {
            ErrorReply error = json.readValue(body, ErrorReply.class);
            return error == null ? new ErrorReply(null, null) : error;
        } catch (JacksonException e) {
            return new ErrorReply(null, null);
        }
    }

    private <T> T read(Reply reply, Class<T> type, String what) {
        try {
            T value = json.readValue(reply.body(), type);
            if (value == null) {
                throw new WechatPayBadReply("WeChat Pay's " + what + " reply is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw new WechatPayBadReply("WeChat Pay's " + what + " reply is not the JSON it should be");
        }
    }

    /** WeChat's v3 error code as the gateway's error type, with the status a mini-program backend can act on. */
    static GatewayException rejected(int status, String code, String message) {
        return switch (code) {
            case "ORDERPAID", "ORDER_PAID", "TRADE_PAID" -> new OrderAlreadyPaid();
            case "ORDER_CLOSED" -> new OrderClosed();
            case "ORDER_NOT_EXIST", "ORDERNOTEXIST", "RESOURCE_NOT_EXISTS" -> new OrderUnknownToWechat();
            case "USER_PAYING" -> new OrderInProgress();
            case "FREQUENCY_LIMITED" -> new WechatPayUnavailable("WeChat Pay is rate-limiting this merchant "
                    + "(FREQUENCY_LIMITED); retry later", Duration.ofSeconds(1));
            case "OUT_TRADE_NO_USED" -> new WechatPayRejected(HttpStatus.CONFLICT, code,
                    "WeChat Pay already has this out_trade_no with different fields");
            // how WeChat is seen to answer a reused out_trade_no in APIv3 ("201 商户订单号重复")
            case "INVALID_REQUEST" -> message.startsWith("201")
                    ? new WechatPayRejected(HttpStatus.CONFLICT, "OUT_TRADE_NO_USED",
                            "WeChat Pay already has this out_trade_no with different fields")
                    : new WechatPayRejected(HttpStatus.BAD_GATEWAY, code, "WeChat Pay rejected the request as invalid"
                            + (message.isEmpty() ? "" : " (" + message + ")"));
            case "NOT_ENOUGH" -> new WechatPayRejected(HttpStatus.PAYMENT_REQUIRED, code,
                    "the payer's balance is not enough");
            case "SIGN_ERROR" -> new WechatPayRejected(HttpStatus.BAD_GATEWAY, code, "WeChat Pay rejected the gateway's "
                    + "signature; check wechat.pay.v3.private-key and wechat.pay.v3.merchant-serial-no");
            case "APPID_MCHID_NOT_MATCH", "MCH_NOT_EXISTS", "NO_AUTH", "ACCOUNT_ERROR", "RULE_LIMIT" ->
                    new WechatPayRejected(HttpStatus.BAD_GATEWAY, code,
                            "WeChat Pay rejected the merchant configuration (" + code + ")");
            default -> new WechatPayRejected(HttpStatus.BAD_GATEWAY, code.isEmpty() ? "HTTP_" + status : code,
                    "WeChat Pay rejected the request: HTTP " + status + (code.isEmpty() ? "" : " " + code)
                            + (message.isEmpty() ? "" : " (" + message + ")"));
        };
    }
}
