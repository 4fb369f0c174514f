package io.wxgate.wechat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The reply of {@code GET /v3/certificates}: WeChat Pay's platform certificates, each a PEM encrypted with the
 * merchant's APIv3 key ({@link PayV3Cipher}, associated data {@value #ASSOCIATED_DATA}) under the serial that
 * replies signed with it name in {@code Wechatpay-Serial}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PayV3Certificates(List<Certificate> data) {

    public static final String ASSOCIATED_DATA = "certificate";

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Certificate(
            @JsonProperty("serial_no") String serialNo,
            @JsonProperty("effective_time") String effectiveTime,
            @JsonProperty("expire_time") String expireTime,
            @JsonProperty("encrypt_certificate") PayV3Notification.Resource encryptCertificate) {
    }
}
