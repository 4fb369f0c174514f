package io.wxgate.wechat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of a WeChat Pay APIv3 notify: who sent what, and the {@code resource} encrypted with the APIv3 key. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PayV3Notification(
        String id,
        @JsonProperty("create_time") String createTime,
        @JsonProperty("event_type") String eventType,
        @JsonProperty("resource_type") String resourceType,
        Resource resource,
        String summary) {

    public static final String TRANSACTION_SUCCESS = "TRANSACTION.SUCCESS";
    public static final String ENCRYPT_RESOURCE = "encrypt-resource";

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resource(
            String algorithm,
            String ciphertext,
            @JsonProperty("associated_data") String associatedData,
            @JsonProperty("original_type") String originalType,
            String nonce) {
    }
}
