package io.wxgate.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayXmlTest {

    private final PayXml xml = new PayXml();

    @Test
    void writesAnXmlRootAndReadsItBack() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", "wxd930ea5d5a258f4f");
        f.put("body", "腾讯充值中心-QQ会员充值 <&>");
        f.put("total_fee", "1");
        String doc = xml.write(f);
        assertThat(doc).startsWith("<xml>").endsWith("</xml>");
        assertThat(xml.read(doc)).isEqualTo(f);
    }

    @Test
    void readsCdataAsWeChatSendsIt() {
        String doc = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg>"
                + "<total_fee>100</total_fee><attach><![CDATA[]]></attach></xml>";
        assertThat(xml.read(doc)).containsEntry("return_code", "SUCCESS").containsEntry("return_msg", "OK")
                .containsEntry("total_fee", "100").containsEntry("attach", "");
    }

    @Test
    void refusesExternalEntities() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><return_code>&x;</return_code></xml>";
        assertThatThrownBy(() -> xml.read(xxe)).isInstanceOf(PayXml.MalformedPayXml.class).hasMessageContaining("DOCTYPE");
    }

    @Test
    void refusesBillionLaughs() {
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
                + "<xml><a>&lol2;</a></xml>";
        assertThatThrownBy(() -> xml.read(laughs)).isInstanceOf(PayXml.MalformedPayXml.class);
    }

    @Test
    void refusesNestedElementsAndGarbage() {
        assertThatThrownBy(() -> xml.read("<xml><a><b>1</b></a></xml>")).isInstanceOf(PayXml.MalformedPayXml.class);
        assertThatThrownBy(() -> xml.read("not xml at all")).isInstanceOf(PayXml.MalformedPayXml.class);
        assertThatThrownBy(() -> xml.read("")).isInstanceOf(PayXml.MalformedPayXml.class);
    }

    @Test
    void refusesARepeatedField() {
        // a second <total_fee> must not silently win over the first one that a signature might cover
        assertThatThrownBy(() -> xml.read("<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>"))
                .isInstanceOf(PayXml.MalformedPayXml.class);
    }
}
