package io.wxgate;

import static io.wxgate.pay.PayFixtures.await;
import static io.wxgate.pay.PayFixtures.orderColumn;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.accesstoken.AccessTokenService;
import io.wxgate.login.SandboxPhone;
import io.wxgate.pay.PayFixtures;
import io.wxgate.pay.PayMetrics;
import io.wxgate.testing.OwnGateway;
import io.wxgate.testing.TestWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.yaml.snakeyaml.Yaml;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an operator sees of a gateway that has logged a user in, fetched their phone number and been paid: the log
 * holds no secret, session key, token or full openid; the Prometheus scrape on the management port lists the
 * gateway's own metrics, and every metric the alert rules and the Grafana dashboard under k8s/monitoring read. A
 * gateway of its own, its reconciler and orders-by-state count running every second.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityTest {

    private static OwnGateway gateway;
    private static WebTestClient sandbox;

    @BeforeAll
    static void start() {
        gateway = OwnGateway.start(Map.of(
                "wechat.pay.reconciler.enabled", "true",
                "wechat.pay.reconciler.interval", "1s",
                "wechat.pay.reconciler.age", "1h",
                "gateway.metrics.orders-by-state-interval", "1s",
                // our own code at its most talkative: a secret in a debug line would show here too
                "logging.level.io.wxgate", "DEBUG"));
        sandbox = WebTestClient.bindToServer().baseUrl(TestWorld.get().sandboxUrl())
                .responseTimeout(Duration.ofSeconds(20)).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void loginPhoneNumberAndPaymentLeaveNoSecretInTheLogOrTheScrape(CapturedOutput output) {
        SandboxPhone phone = SandboxPhone.newUser(gateway.url());
        String token = phone.apiLogin();
        gateway.client().post().uri("/api/v1/users/me/phone").header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("code", phone.wxGetPhoneCode()))
                .exchange().expectStatus().is2xxSuccessful();
        Map<String, Object> order = PayFixtures.newOrder(gateway.client(), token, 1);
        String outTradeNo = (String) order.get("out_trade_no");
        sandbox.post().uri("/sandbox/wx/requestPayment").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(order.get("payment")).exchange().expectStatus().isOk();
        await(Duration.ofSeconds(15), "the notify to pay the order", () -> "SUCCESS".equals(orderColumn(outTradeNo, "trade_state")));
        String accessToken = gateway.bean(AccessTokenService.class).call(Mono::just).block(Duration.ofSeconds(10));

        String openid = phone.openid();
        assertThat(output.getAll()).as("the flow was logged").contains("login for " + openid.substring(0, 4) + "***");
        String scrape = scrape();
        for (String text : new String[] {output.getAll(), scrape}) {
            assertThat(text)
                    .doesNotContain(phone.sessionKey())
                    .doesNotContain(token)
                    .doesNotContain(accessToken)
                    .doesNotContain(openid)
                    .doesNotContain(TestWorld.SECRET)
                    .doesNotContain(TestWorld.API_KEY);
        }
    }

    @Test
    @Order(2)
    void theScrapeOnTheManagementPortListsTheGatewaysMetrics() throws IOException {
        await(Duration.ofSeconds(10), "orders to be counted and a reconciler pass to end",
                () -> scrape().contains("wxgate_pay_reconciler_passes_total{result=\"done\"}")
                        && !scrape().contains("wxgate_pay_orders{state=\"SUCCESS\"} 0.0"));
        String scrape = scrape();
        assertThat(scrape)
                .contains("http_server_requests_seconds_bucket{", "uri=\"/api/v1/sessions\"")
                .contains("http_client_requests_seconds_bucket{")
                .containsPattern("wxgate_wechat_calls_seconds_bucket\\{api=\"jscode2session\".*outcome=\"0\"")
                // (the access_token may come from Redis, fetched by another instance: no stable_token call is certain)
                .containsPattern("wxgate_wechat_calls_seconds_count\\{api=\"/wxa/business/getuserphonenumber\".*outcome=\"0\"")
                .containsPattern("wxgate_pay_orders\\{state=\"SUCCESS\"} [1-9]")
                .contains("wxgate_pay_orders{state=\"NOTPAY\"}")
                .contains("wxgate_pay_reconciler_settled_total")
                .containsPattern("wxgate_pay_reconciler_last_success_seconds [1-9]")
                .contains("wxgate_breaker_state{breaker=\"wechat-pay\",state=\"closed\"} 1.0")
                .contains("wxgate_breaker_state{breaker=\"wechat-miniapp\",state=\"open\"} 0.0")
                .contains("wxgate_breaker_failure_rate{breaker=\"wechat-pay\"}")
                .contains("wxgate_gate_in_flight{gate=\"wechat-pay\"}")
                .contains("r2dbc_pool_acquired_connections")
                .containsPattern("reactor_netty_connection_provider_active_connections\\{.*name=\"wechat-miniapp\"");
        Files.writeString(Path.of("target", "observability-scrape.txt"), scrape);
    }

    @Test
    @Order(3)
    @SuppressWarnings("unchecked")
    void everyMetricTheAlertsAndTheDashboardReadIsInTheScrape() throws IOException {
        // stand-ins for the hooks the notify and WeChat Pay code call (see PayMetrics): they register the names
        PayMetrics pay = gateway.bean(PayMetrics.class);
        pay.notifyVerdict("APPLIED", true, "v2");
        pay.wechatPayCall("/pay/orderquery", Mono.just("answer")).block(Duration.ofSeconds(5));
        // a real junk notify: counted before its sign could be checked
        gateway.client().post().uri("/api/v1/pay/notify").contentType(MediaType.TEXT_XML).bodyValue("not xml")
                .exchange().expectBody().returnResult();

        Set<String> exposed = new TreeSet<>();
        scrape().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exposed.add(line.split("[{ ]", 2)[0]));

        Set<String> read = new TreeSet<>();
        Map<String, Object> rules = new Yaml().load(Files.readString(Path.of("k8s/monitoring/prometheus-rules.yaml")));
        for (Map<String, Object> group : (List<Map<String, Object>>) ((Map<String, Object>) rules.get("spec")).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                read.addAll(metricNames((String) rule.get("expr")));
            }
        }
        Set<String> fromRules = new TreeSet<>(read);
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(Path.of("k8s/monitoring/grafana-dashboard.json")));
        dashboard.findValues("expr").forEach(expr -> read.addAll(metricNames(expr.asString())));

        assertThat(fromRules).contains("wxgate_pay_notify_verdicts_total", "wxgate_breaker_state",
                "wxgate_pay_paid_after_close_total", "wxgate_pay_reconciler_last_success_seconds",
                "http_server_requests_seconds_count", "wxgate_gate_refused_total");
        assertThat(read).contains("wxgate_pay_orders", "wxgate_wechat_calls_seconds_bucket", "r2dbc_pool_acquired_connections",
                "reactor_netty_connection_provider_active_connections");
        assertThat(exposed).as("metrics the alerts and dashboard read").containsAll(read);
    }

    private static final Pattern NAME = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");

    /** The metric names a PromQL expression reads: what is left without label matchers, ranges, strings and functions. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\"[^\"]*\"", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(bare);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static String scrape() {
        return WebTestClient.bindToServer().baseUrl(gateway.managementUrl())
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .responseTimeout(Duration.ofSeconds(20)).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }
}
