package io.wxgate.sandbox.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.wechat.pay.java.core.Config;
import com.wechat.pay.java.core.RSAAutoCertificateConfig;
import com.wechat.pay.java.core.RSAPublicKeyConfig;
import com.wechat.pay.java.core.exception.ServiceException;
import com.wechat.pay.java.core.http.DefaultHttpClientBuilder;
import com.wechat.pay.java.core.notification.NotificationConfig;
import com.wechat.pay.java.core.notification.NotificationParser;
import com.wechat.pay.java.core.notification.RequestParam;
import com.wechat.pay.java.service.payments.jsapi.JsapiServiceExtension;
import com.wechat.pay.java.service.payments.jsapi.model.Amount;
import com.wechat.pay.java.service.payments.jsapi.model.CloseOrderRequest;
import com.wechat.pay.java.service.payments.jsapi.model.Payer;
import com.wechat.pay.java.service.payments.jsapi.model.PrepayRequest;
import com.wechat.pay.java.service.payments.jsapi.model.PrepayWithRequestPaymentResponse;
import com.wechat.pay.java.service.payments.jsapi.model.QueryOrderByOutTradeNoRequest;
import com.wechat.pay.java.service.payments.model.Transaction;
import io.wxgate.testing.OwnSandbox;
import io.wxgate.testing.PayV3TestKeys;
import io.wxgate.testing.TestWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * wechatpay-java, WeChat Pay's official APIv3 SDK, pointed at the sandbox unchanged (only its OkHttp client is
 * redirected from https://api.mch.weixin.qq.com to the sandbox, after it signed the request): it places an order and
 * gets the phone's pay parameters, the phone pays with its paySign, it queries and closes orders (verifying every
 * reply's signature itself), and its NotificationParser accepts the sandbox's notify, both for a merchant that trusts
 * the WeChat Pay public key and for one that downloads platform certificates.
 */
class WechatPayJavaInteropTest {

    private static final String OPENID = "oWechatPayJavaInteropOpenid1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static OwnSandbox ownSandbox;
    private static String sandboxUrl;
    private static DisposableServer receiver;
    private static final List<Notify> notifies = new CopyOnWriteArrayList<>();
    private static final AtomicInteger counter = new AtomicInteger();

    private static Merchant publicKeyMerchant;
    private static Merchant certificateMerchant;

    /** A notify as the merchant's endpoint received it: the path it came to, its headers as named on the wire, its body. */
    record Notify(String path, Map<String, String> headers, String body) {
        RequestParam requestParam() {
            return new RequestParam.Builder()
                    .serialNumber(headers.get("Wechatpay-Serial"))
                    .nonce(headers.get("Wechatpay-Nonce"))
                    .signature(headers.get("Wechatpay-Signature"))
                    .timestamp(headers.get("Wechatpay-Timestamp"))
                    .signType(headers.get("Wechatpay-Signature-Type"))
                    .body(body)
                    .build();
        }
    }

    /** One merchant as its code holds the SDK: its id, its pay service and its notify parser. */
    record Merchant(String mchId, JsapiServiceExtension jsapi, NotificationParser notifications) {
    }

    @BeforeAll
    static void start() {
        receiver = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/notify/{mchid}", (request, response) -> request.receive().aggregate()
                        .asString().defaultIfEmpty("")
                        .doOnNext(body -> {
                            Map<String, String> headers = new LinkedHashMap<>();
                            request.requestHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
                            notifies.add(new Notify(request.uri(), headers, body));
                        })
                        .then(response.status(204).send().then())))
                .bindNow();
        ownSandbox = OwnSandbox.start();
        sandboxUrl = ownSandbox.url();

        OkHttpClient toSandbox = new OkHttpClient.Builder()
                .addInterceptor(chain -> {
                    HttpUrl url = chain.request().url().newBuilder().scheme("http").host("127.0.0.1").port(URI.create(sandboxUrl).getPort()).build();
                    return chain.proceed(chain.request().newBuilder().url(url).build());
                })
                .build();

        RSAPublicKeyConfig publicKeyConfig = new RSAPublicKeyConfig.Builder()
                .merchantId(TestWorld.MCH_ID)
                .privateKey(PayV3TestKeys.merchantPrivateKeyPem())
                .merchantSerialNumber(PayV3TestKeys.MERCHANT_SERIAL_NO)
                .publicKey(PayV3TestKeys.wechatpayPublicKeyPem())
                .publicKeyId(PayV3TestKeys.WECHATPAY_PUBLIC_KEY_ID)
                .apiV3Key(PayV3TestKeys.API_V3_KEY)
                .build();
        publicKeyMerchant = merchant(TestWorld.MCH_ID, publicKeyConfig, publicKeyConfig, toSandbox);

        // downloads /v3/certificates from the sandbox right here, and fails the test if it cannot decrypt them
        RSAAutoCertificateConfig certificateConfig = new RSAAutoCertificateConfig.Builder()
                .merchantId(TestWorld.CERTIFICATE_MCH_ID)
                .privateKey(PayV3TestKeys.merchantPrivateKeyPem())
                .merchantSerialNumber(PayV3TestKeys.MERCHANT_SERIAL_NO)
                .apiV3Key(PayV3TestKeys.API_V3_KEY)
                .httpClientBuilder(new DefaultHttpClientBuilder().okHttpClient(toSandbox))
                .build();
        certificateMerchant = merchant(TestWorld.CERTIFICATE_MCH_ID, certificateConfig, certificateConfig, toSandbox);
    }

    private static Merchant merchant(String mchId, Config config, NotificationConfig notificationConfig,
                                     OkHttpClient toSandbox) {
        com.wechat.pay.java.core.http.HttpClient http = new DefaultHttpClientBuilder().config(config)
                .okHttpClient(toSandbox).build();
        return new Merchant(mchId, new JsapiServiceExtension.Builder().config(config).httpClient(http).build(),
                new NotificationParser(notificationConfig));
    }

    @AfterAll
    static void stop() {
        if (ownSandbox != null) {
            ownSandbox.close();
        }
        if (receiver != null) {
            receiver.disposeNow();
        }
    }

    @Test
    void publicKeyModeSdkPaysQueriesAndParsesTheNotify() throws Exception {
        paysQueriesAndParsesTheNotify(publicKeyMerchant);
    }

    @Test
    void certificateModeSdkPaysQueriesAndParsesTheNotify() throws Exception {
        paysQueriesAndParsesTheNotify(certificateMerchant);
    }

    @Test
    void publicKeyModeSdkClosesAnOrderAndSeesItClosed() {
        closesAnOrderAndSeesItClosed(publicKeyMerchant);
    }

    @Test
    void certificateModeSdkClosesAnOrderAndSeesItClosed() {
        closesAnOrderAndSeesItClosed(certificateMerchant);
    }

    @Test
    void theSdkSeesWeChatsErrorsAsServiceExceptions() {
        QueryOrderByOutTradeNoRequest unknown = new QueryOrderByOutTradeNoRequest();
        unknown.setMchid(TestWorld.MCH_ID);
        unknown.setOutTradeNo("NEVER" + newOutTradeNo());

        assertThatThrownBy(() -> publicKeyMerchant.jsapi().queryOrderByOutTradeNo(unknown))
                .isInstanceOfSatisfying(ServiceException.class, e -> {
                    assertThat(e.getHttpStatusCode()).isEqualTo(404);
                    assertThat(e.getErrorCode()).isEqualTo("ORDER_NOT_EXIST");
                });
        String outTradeNo = newOutTradeNo();
        publicKeyMerchant.jsapi().prepayWithRequestPayment(prepay(publicKeyMerchant, outTradeNo, 1));
        assertThatThrownBy(() -> publicKeyMerchant.jsapi().prepayWithRequestPayment(prepay(publicKeyMerchant, outTradeNo, 2)))
                .isInstanceOfSatisfying(ServiceException.class, e -> {
                    assertThat(e.getHttpStatusCode()).isEqualTo(400);
                    assertThat(e.getErrorCode()).isEqualTo("INVALID_REQUEST");
                });
    }

    private void paysQueriesAndParsesTheNotify(Merchant merchant) throws Exception {
        String outTradeNo = newOutTradeNo();

        PrepayWithRequestPaymentResponse payParams = merchant.jsapi().prepayWithRequestPayment(prepay(merchant, outTradeNo, 321));

        assertThat(payParams.getPackageVal()).startsWith("prepay_id=wx");
        assertThat(payParams.getSignType()).isEqualTo("RSA");
        assertThat(payParams.getAppId()).isEqualTo(TestWorld.APPID);
        HttpResponse<String> paid = HTTP.send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/sandbox/wx/requestPayment"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                        "appId", payParams.getAppId(), "timeStamp", payParams.getTimeStamp(),
                        "nonceStr", payParams.getNonceStr(), "package", payParams.getPackageVal(),
                        "signType", payParams.getSignType(), "paySign", payParams.getPaySign()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);

        Transaction queried = merchant.jsapi().queryOrderByOutTradeNo(query(merchant, outTradeNo));
        assertThat(queried.getTradeState()).isEqualTo(Transaction.TradeStateEnum.SUCCESS);
        assertThat(queried.getTradeType()).isEqualTo(Transaction.TradeTypeEnum.JSAPI);
        assertThat(queried.getAmount().getTotal()).isEqualTo(321);
        assertThat(queried.getAmount().getPayerTotal()).isEqualTo(321);
        assertThat(queried.getPayer().getOpenid()).isEqualTo(OPENID);
        assertThat(queried.getMchid()).isEqualTo(merchant.mchId());
        assertThat(queried.getTransactionId()).isNotBlank();

        await().atMost(Duration.ofSeconds(10)).until(() -> parsedNotify(merchant, outTradeNo).isPresent());
        Transaction notified = parsedNotify(merchant, outTradeNo).orElseThrow();
        assertThat(notified.getTradeState()).isEqualTo(Transaction.TradeStateEnum.SUCCESS);
        assertThat(notified.getTransactionId()).isEqualTo(queried.getTransactionId());
        assertThat(notified.getAmount().getTotal()).isEqualTo(321);
        assertThat(notified.getSuccessTime()).isEqualTo(queried.getSuccessTime());
    }

    private void closesAnOrderAndSeesItClosed(Merchant merchant) {
        String outTradeNo = newOutTradeNo();
        merchant.jsapi().prepayWithRequestPayment(prepay(merchant, outTradeNo, 1));
        CloseOrderRequest close = new CloseOrderRequest();
        close.setMchid(merchant.mchId());
        close.setOutTradeNo(outTradeNo);

        merchant.jsapi().closeOrder(close);

        Transaction queried = merchant.jsapi().queryOrderByOutTradeNo(query(merchant, outTradeNo));
        assertThat(queried.getTradeState()).isEqualTo(Transaction.TradeStateEnum.CLOSED);
        assertThat(queried.getTransactionId()).isNull();
    }

    /** The notify for this order that came to this merchant's notify_url, as the SDK parses it; it must parse. */
    private static Optional<Transaction> parsedNotify(Merchant merchant, String outTradeNo) {
        return notifies.stream()
                .filter(n -> n.path().equals("/notify/" + merchant.mchId()))
                .map(n -> merchant.notifications().parse(n.requestParam(), Transaction.class))
                .filter(t -> outTradeNo.equals(t.getOutTradeNo()))
                .findFirst();
    }

    private PrepayRequest prepay(Merchant merchant, String outTradeNo, int total) {
        PrepayRequest request = new PrepayRequest();
        request.setAppid(TestWorld.APPID);
        request.setMchid(merchant.mchId());
        request.setDescription("沙箱-wechatpay-java互通测试");
        request.setOutTradeNo(outTradeNo);
        request.setNotifyUrl("http://127.0.0.1:" + receiver.port() + "/notify/" + merchant.mchId());
        Amount amount = new Amount();
        amount.setTotal(total);
        amount.setCurrency("CNY");
        request.setAmount(amount);
        Payer payer = new Payer();
        payer.setOpenid(OPENID);
        request.setPayer(payer);
        return request;
    }

    private static QueryOrderByOutTradeNoRequest query(Merchant merchant, String outTradeNo) {
        QueryOrderByOutTradeNoRequest request = new QueryOrderByOutTradeNoRequest();
        request.setMchid(merchant.mchId());
        request.setOutTradeNo(outTradeNo);
        return request;
    }

    private static String newOutTradeNo() {
        return "WPJ" + System.currentTimeMillis() + "n" + counter.incrementAndGet();
    }
}
