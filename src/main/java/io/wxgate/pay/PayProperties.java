package io.wxgate.pay;

import io.wxgate.overload.GateSettings;
import io.wxgate.wechat.SignType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The merchant's WeChat Pay identity, where WeChat Pay lives, and how the gateway talks to it. New orders use
 * {@code api-version}; left unset it is v3, or v2 when only the APIv2 key is given (an existing merchant upgrading
 * keeps working unchanged). An order keeps the version it was placed with, so either side's settings may be given
 * beside the other's while a merchant moves.
 */
@Validated
@ConfigurationProperties("wechat.pay")
public record PayProperties(
        @NotBlank(message = "set WXGATE_PAY_MCH_ID (wechat.pay.mch-id)") String mchId,
        String apiKey,
        @NotNull @DefaultValue("https://api.mch.weixin.qq.com") URI baseUrl,
        @NotNull(message = "set WXGATE_PAY_NOTIFY_URL (wechat.pay.notify-url)") URI notifyUrl,
        @NotNull @DefaultValue("MD5") SignType signType,
        @Min(1) @DefaultValue("1000000") long maxTotalFee,
        @NotBlank @Size(max = 128) @DefaultValue("wxgate order") String body,
        @NotNull @DefaultValue("2h") Duration prepayValidity,
        @NotNull @DefaultValue("5m") Duration prepayReuseMargin,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("5s") Duration responseTimeout,
        @Valid @NotNull @DefaultValue Retry retry,
        @Valid @NotNull @DefaultValue Breaker breaker,
        @Valid @NotNull @DefaultValue GateSettings gate,
        @Valid @NotNull @DefaultValue Reconciler reconciler,
        ApiVersion apiVersion,
        @Valid @NotNull @DefaultValue V3 v3) {

    /** Which WeChat Pay API new orders are placed with. */
    public enum ApiVersion { V2, V3 }

    /** How the gateway knows WeChat Pay's signatures on APIv3 replies and notifies. */
    public enum Verification {
        /** The WeChat Pay public key ({@code PUB_KEY_ID_…}): every merchant since late 2024. */
        PUBLIC_KEY,
        /** Platform certificates downloaded from {@code /v3/certificates}. */
        CERTIFICATE,
        /** Either, for a merchant moving from certificates to the public key. */
        BOTH
    }

    /**
     * The merchant's APIv3 credentials. Each secret comes as text (an environment variable) or as a file (a mounted
     * secret); {@link PayV3Credentials} reads them once at start-up and refuses to start naming what is missing.
     */
    public record V3(String merchantSerialNo,
                     String privateKey,
                     String privateKeyFile,
                     String apiV3Key,
                     String apiV3KeyFile,
                     @NotNull @DefaultValue("PUBLIC_KEY") Verification verification,
                     String publicKeyId,
                     String publicKey,
                     String publicKeyFile,
                     @NotNull @DefaultValue("1h") Duration certificateRefresh) {

        /**
         * The settings (under {@code wechat.pay.v3.}) whose presence means a merchant uses APIv3; read from the
         * environment before binding by the start-up check and the bean conditions, so all three agree.
         */
        public static final List<String> CREDENTIAL_KEYS = List.of("merchant-serial-no",
                "private-key", "private-key-file", "api-v3-key", "api-v3-key-file");

        /** True when any APIv3 credential is given: then all it needs must be. */
        public boolean configured() {
            return hasText(merchantSerialNo) || hasText(privateKey) || hasText(privateKeyFile) || hasText(apiV3Key)
                    || hasText(apiV3KeyFile);
        }

        @Override
        public String toString() {
            return "V3[merchantSerialNo=" + merchantSerialNo + ", verification=" + verification + ", publicKeyId="
                    + publicKeyId + ", secrets hidden]";
        }
    }

    @AssertTrue(message = "set WXGATE_PAY_API_KEY (wechat.pay.api-key): wechat.pay.api-version is v2")
    public boolean isApiKeyGivenForV2() {
        return apiVersion != ApiVersion.V2 || hasText(apiKey);
    }

    @AssertTrue(message = "wechat.pay.api-version is v3 (the default) but no APIv3 credentials are set: set "
            + "WXGATE_PAY_MERCHANT_SERIAL_NO, WXGATE_PAY_PRIVATE_KEY_FILE (or _PRIVATE_KEY), WXGATE_PAY_API_V3_KEY_FILE "
            + "(or _API_V3_KEY), WXGATE_PAY_PUBLIC_KEY_ID and WXGATE_PAY_PUBLIC_KEY_FILE (or _PUBLIC_KEY); or "
            + "WXGATE_PAY_API_VERSION=v2 with WXGATE_PAY_API_KEY")
    public boolean isV3CredentialsGivenForV3() {
        return apiVersion != ApiVersion.V3 || v3 == null || v3.configured();
    }

    /** True when new orders or old ones may need APIv2: the API key is given. */
    public boolean v2Configured() {
        return hasText(apiKey);
    }

    /**
     * The notify_url an order of that API version is placed with: each version has its own path
     * ({@code /api/v1/pay/notify}, {@code /api/v1/pay/notify/v3}), derived from the one configured whichever it
     * names, so a merchant switching versions cannot send WeChat's notifies of one version to the other's path. A
     * path of the merchant's own (a proxy in front) is used as given for both.
     */
    public String notifyUrl(boolean v3) {
        String url = notifyUrl.toString();
        if (url.endsWith("/api/v1/pay/notify/v3")) {
            return v3 ? url : url.substring(0, url.length() - "/v3".length());
        }
        if (url.endsWith("/api/v1/pay/notify")) {
            return v3 ? url + "/v3" : url;
        }
        return url;
    }

    /** The sign type of a new order: the configured APIv2 type, or RSA under APIv3. */
    public SignType newOrderSignType() {
        return apiVersion == ApiVersion.V3 ? SignType.RSA : signType;
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    /** Retries of idempotent calls (same out_trade_no, same fields) on SYSTEMERROR, timeouts and 5xx. */
    public record Retry(@Min(0) @DefaultValue("2") int maxRetries,
                        @NotNull @DefaultValue("200ms") Duration firstBackoff,
                        @NotNull @DefaultValue("2s") Duration maxBackoff,
                        @DefaultValue("0.5") double jitter) {
    }

    /** The circuit breaker around WeChat Pay: open after this failure rate, fail fast while open. */
    public record Breaker(@Min(1) @DefaultValue("50") float failureRateThreshold,
                         @Min(1) @DefaultValue("20") int slidingWindowSize,
                         @Min(1) @DefaultValue("10") int minimumNumberOfCalls,
                         @NotNull @DefaultValue("30s") Duration waitInOpenState,
                         @Min(1) @DefaultValue("3") int permittedCallsInHalfOpenState) {
    }

    /** The background job that asks WeChat about orders whose notify never came. */
    public record Reconciler(@DefaultValue("true") boolean enabled,
                             @NotNull @DefaultValue("5m") Duration age,
                             @NotNull @DefaultValue("1m") Duration interval,
                             @NotNull @DefaultValue("2m") Duration lease,
                             @Min(1) @DefaultValue("50") int batchSize) {
    }

    public PayProperties {
        if (apiVersion == null) {
            // not chosen: APIv3 for a new merchant, APIv2 for an existing one that gives only its APIv2 key
            apiVersion = (v3 != null && v3.configured()) || !hasText(apiKey) ? ApiVersion.V3 : ApiVersion.V2;
        }
        if (hasText(apiKey) && apiKey.length() != 32) {
            throw new IllegalArgumentException("wechat.pay.api-key must be the 32-character APIv2 key");
        }
        if (signType == SignType.RSA) {
            throw new IllegalArgumentException("wechat.pay.sign-type is APIv2's (MD5 or HMAC-SHA256); RSA comes with "
                    + "wechat.pay.api-version v3");
        }
    }

    @Override
    public String toString() {
        return "PayProperties[mchId=" + mchId + ", apiVersion=" + apiVersion + ", baseUrl=" + baseUrl + ", notifyUrl="
                + notifyUrl + ", signType=" + signType + ", v3=" + v3 + "]";
    }
}
