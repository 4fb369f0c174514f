package io.wxgate.overload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;

/** What an observed WeChat call puts in its metric tags and span: never the query, where the secrets travel. */
class WeChatHttpTest {

    @Test
    void theQueryWithTheAppSecretStaysOutOfTheUriTagAndTheSpansUrl() {
        ClientRequest request = ClientRequest.create(HttpMethod.GET,
                URI.create("https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cret&js_code=c&grant_type=authorization_code")).build();
        ClientRequestObservationContext context = new ClientRequestObservationContext(ClientRequest.from(request));
        context.setRequest(request);

        WeChatHttp.WithoutQuery convention = new WeChatHttp.WithoutQuery();
        assertThat(convention.getLowCardinalityKeyValues(context).stream().map(KeyValue::getValue))
                .noneMatch(value -> value.contains("s3cret"));
        assertThat(convention.getHighCardinalityKeyValues(context).stream().map(KeyValue::getValue))
                .contains("https://api.weixin.qq.com/sns/jscode2session")
                .noneMatch(value -> value.contains("s3cret"));
    }
}
