package io.wxgate.sandbox.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.binarywang.wxpay.bean.notify.WxPayOrderNotifyResult;
import com.github.binarywang.wxpay.bean.order.WxPayMpOrderResult;
import com.github.binarywang.wxpay.bean.request.WxPayUnifiedOrderRequest;
import com.github.binarywang.wxpay.bean.result.WxPayOrderCloseResult;
import com.github.binarywang.wxpay.bean.result.WxPayOrderQueryResult;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.exception.WxPayException;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceApacheHttpImpl;
import io.wxgate.testing.OwnSandbox;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * WxJava, a real WeChat Pay client library, pointed at the sandbox unchanged: it places, queries and closes orders
 * (checking every reply's sign itself), its JSAPI pay parameters pay through the sandbox's phone, and it accepts the
 * sandbox's notify as a genuine one.
 */
class WxJavaInteropTest {

    private static final String OPENID = "oWxJavaInteropTestOpenid0001";
    private static final String ACK =
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

    private static OwnSandbox ownSandbox;
    private static String sandboxUrl;
    private static DisposableServer receiver;
    private static final List<String> notifyBodies = new CopyOnWriteArrayList<>();
    private static final AtomicInteger counter = new AtomicInteger();

    @BeforeAll
    static void start() {
        receiver = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/notify", (request, response) -> request.receive().aggregate().asString()
                        .doOnNext(notifyBodies::add)
                        .then(response.header("Content-Type", "text/xml").sendString(Mono.just(ACK)).then())))
                .bindNow();
        ownSandbox = OwnSandbox.start();
        sandboxUrl = ownSandbox.url();
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

    private static WxPayService wxJava(String signType) {
        WxPayConfig config = new WxPayConfig();
        config.setAppId(TestWorld.APPID);
        config.setMchId(TestWorld.MCH_ID);
        config.setMchKey(TestWorld.API_KEY);
        config.setSignType(signType);
        config.setPayBaseUrl(sandboxUrl);
        config.setNotifyUrl("http://127.0.0.1:" + receiver.port() + "/notify");
        WxPayService service = new WxPayServiceApacheHttpImpl();
        service.setConfig(config);
        return service;
    }

    private static WxPayUnifiedOrderRequest jsapiOrder(String outTradeNo, int totalFee) {
        return WxPayUnifiedOrderRequest.newBuilder()
                .body("沙箱-WxJava互通测试")
                .outTradeNo(outTradeNo)
                .totalFee(totalFee)
                .spbillCreateIp("127.0.0.1")
                .tradeType("JSAPI")
                .openid(OPENID)
                .build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5", "HMAC-SHA256"})
    void wxJavaPlacesAnOrderThePhonePaysAndWxJavaAcceptsTheNotify(String signType) throws WxPayException {
        WxPayService wxJava = wxJava(signType);
        String outTradeNo = "WXJ" + System.currentTimeMillis() + "n" + counter.incrementAndGet();

        WxPayMpOrderResult payParams = wxJava.createOrder(jsapiOrder(outTradeNo, 321));

        assertThat(payParams.getPackageValue()).startsWith("prepay_id=wx");
        assertThat(payParams.getSignType()).isEqualTo(signType);
        WebTestClient.bindToServer().baseUrl(sandboxUrl).responseTimeout(Duration.ofSeconds(10)).build()
                .post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("timeStamp", payParams.getTimeStamp(), "nonceStr", payParams.getNonceStr(),
                        "package", payParams.getPackageValue(), "signType", payParams.getSignType(),
                        "paySign", payParams.getPaySign()))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.errMsg").isEqualTo("requestPayment:ok");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> notifyBodies.stream().anyMatch(body -> body.contains(outTradeNo)));
        String notifyXml = notifyBodies.stream().filter(body -> body.contains(outTradeNo)).findFirst().orElseThrow();
        WxPayOrderNotifyResult notify = wxJava.parseOrderNotifyResult(notifyXml, signType);
        assertThat(notify.getOutTradeNo()).isEqualTo(outTradeNo);
        assertThat(notify.getTotalFee()).isEqualTo(321);
        assertThat(notify.getOpenid()).isEqualTo(OPENID);
        assertThat(notify.getResultCode()).isEqualTo("SUCCESS");

        WxPayOrderQueryResult query = wxJava.queryOrder(null, outTradeNo);
        assertThat(query.getTradeState()).isEqualTo("SUCCESS");
        assertThat(query.getTransactionId()).isEqualTo(notify.getTransactionId());
        assertThat(query.getTotalFee()).isEqualTo(321);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5", "HMAC-SHA256"})
    void wxJavaClosesAnUnpaidOrderAndSeesItClosed(String signType) throws WxPayException {
        WxPayService wxJava = wxJava(signType);
        String outTradeNo = "WXJ" + System.currentTimeMillis() + "c" + counter.incrementAndGet();
        wxJava.createOrder(jsapiOrder(outTradeNo, 1));

        WxPayOrderCloseResult closed = wxJava.closeOrder(outTradeNo);

        assertThat(closed.getResultCode()).isEqualTo("SUCCESS");
        assertThat(wxJava.queryOrder(null, outTradeNo).getTradeState()).isEqualTo("CLOSED");
        assertThatThrownBy(() -> wxJava.createOrder(jsapiOrder(outTradeNo, 1)))
                .isInstanceOf(WxPayException.class)
                .satisfies(e -> assertThat(((WxPayException) e).getErrCode()).isEqualTo("ORDERCLOSED"));
    }
}
