package io.wxgate.sandbox.miniapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.binarywang.wx.miniapp.api.WxMaService;
import cn.binarywang.wx.miniapp.api.impl.WxMaServiceImpl;
import cn.binarywang.wx.miniapp.bean.WxMaPhoneNumberInfo;
import cn.binarywang.wx.miniapp.config.impl.WxMaDefaultConfigImpl;
import io.wxgate.testing.TestWorld;
import java.time.Duration;
import java.util.Map;
import me.chanjar.weixin.common.error.WxErrorException;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * WxJava's mini-program client, pointed at the sandbox unchanged but for its API host: it gets a stable access_token,
 * exchanges phone codes, and recovers by itself when the sandbox voids its token (40001).
 */
class WxJavaMiniappInteropTest {

    private static final String APPID = TestWorld.OTHER_APPID;
    private static final String OPENID = "oWxJavaMiniappInteropUser001";

    private final WebTestClient sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
            .responseTimeout(Duration.ofSeconds(10)).build();

    private WxMaService wxJava() {
        WxMaDefaultConfigImpl config = new WxMaDefaultConfigImpl();
        config.setAppid(APPID);
        config.setSecret("other-sandbox-secret-for-tests-only");
        config.setApiHostUrl(TestWorld.get().sandboxUrl());
        config.useStableAccessToken(true);
        WxMaService service = new WxMaServiceImpl();
        service.setWxMaConfig(config);
        return service;
    }

    private String phoneCode() {
        sandbox.post().uri("/sandbox/wx/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID, "openid", OPENID)).exchange().expectStatus().isOk();
        return sandbox.post().uri("/sandbox/wx/getPhoneNumber").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID, "openid", OPENID)).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("code").asString();
    }

    @Test
    void wxJavaGetsAStableTokenAndExchangesAPhoneCode() throws WxErrorException {
        WxMaService wxJava = wxJava();

        String token = wxJava.getAccessToken();
        assertThat(token).isNotBlank();
        assertThat(wxJava().getAccessToken()).isEqualTo(token); // stable_token: another server gets the same one

        WxMaPhoneNumberInfo phone = wxJava.getUserService().getPhoneNumber(phoneCode());
        assertThat(phone.getPurePhoneNumber()).matches("138\\d{8}");
        assertThat(phone.getPhoneNumber()).isEqualTo(phone.getPurePhoneNumber());
        assertThat(phone.getCountryCode()).isEqualTo("86");
        assertThat(phone.getWatermark().getAppid()).isEqualTo(APPID);
    }

    @Test
    void aUsedCodeIsWechatsErrcode40029() throws WxErrorException {
        WxMaService wxJava = wxJava();
        String code = phoneCode();
        wxJava.getUserService().getPhoneNumber(code);

        assertThatThrownBy(() -> wxJava.getUserService().getPhoneNumber(code))
                .isInstanceOf(WxErrorException.class)
                .satisfies(e -> assertThat(((WxErrorException) e).getError().getErrorCode()).isEqualTo(40029));
    }

    @Test
    void wxJavaRecoversByItselfWhenTheSandboxVoidsItsToken() throws WxErrorException {
        WxMaService wxJava = wxJava();
        String before = wxJava.getAccessToken();
        sandbox.post().uri("/sandbox/access-tokens/invalidate").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("appid", APPID)).exchange().expectStatus().isOk();

        WxMaPhoneNumberInfo phone = wxJava.getUserService().getPhoneNumber(phoneCode());

        assertThat(phone.getPurePhoneNumber()).matches("138\\d{8}");
        assertThat(wxJava.getAccessToken()).isNotEqualTo(before);
    }

    @Test
    void wxJavasMsgSecCheckGetsPassAndRisky() throws WxErrorException {
        WxMaService wxJava = wxJava();
        phoneCode(); // makes sure the user exists at the sandbox

        var pass = wxJava.getSecurityService().checkMessage(cn.binarywang.wx.miniapp.bean.security.WxMaMsgSecCheckCheckRequest
                .builder().version("2").scene(1).openid(OPENID).content("一只小熊").build());
        var risky = wxJava.getSecurityService().checkMessage(cn.binarywang.wx.miniapp.bean.security.WxMaMsgSecCheckCheckRequest
                .builder().version("2").scene(1).openid(OPENID).content("一起去赌博").build());

        assertThat(pass.getResult().getSuggest()).isEqualTo("pass");
        assertThat(risky.getResult().getSuggest()).isEqualTo("risky");
        assertThat(risky.getTraceId()).isNotBlank();
    }
}
