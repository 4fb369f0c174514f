package io.wxgate.web;

import io.wxgate.wechat.PaySigner;
import io.wxgate.wechat.PayXml;
import io.wxgate.wechat.SignType;
import io.wxgate.wechat.UserDataCipher;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.HttpEntity;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.reactivestreams.Publisher;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * A fresh JVM answers its first requests slowly: Jackson builds each type's (de)serializer on first use under a
 * lock the first burst would queue on (on event-loop threads), and the hot paths run interpreted until the JIT
 * compiles them. Runners finish before the gateway reports ready, so this runs first: it resolves the reader of
 * every request body type and the writer of every response type the handlers declare, runs the wire codecs a few
 * thousand times, and sends the gateway's own HTTP stack a few hundred requests that touch no store and no WeChat.
 */
@Component
class WarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final int CODEC_ROUNDS = 2000;
    private static final int HTTP_ROUNDS = 400;
    // each phase stops at its budget: a slow or crowded machine starts a little colder, never much later
    private static final Duration PHASE_BUDGET = Duration.ofSeconds(2);

    private final ObjectMapper json;
    private final RequestMappingHandlerMapping handlers;
    private final PaySigner signer;
    private final PayXml xml;
    private final Environment environment;

    WarmUp(ObjectMapper json, RequestMappingHandlerMapping requestMappingHandlerMapping, PayXml xml,
           Environment environment) {
        this.json = json;
        this.handlers = requestMappingHandlerMapping;
        // a throwaway key: only the code paths are warmed, and APIv2 may not be configured at all
        this.signer = new PaySigner("warmupwarmupwarmupwarmupwarmup00");
        this.xml = xml;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) {
        long started = System.nanoTime();
        resolveJackson();
        long resolved = System.nanoTime();
        exerciseCodecs();
        long codecs = System.nanoTime();
        exerciseHttp();
        long done = System.nanoTime();
        log.info("warmed up in {} ms (Jackson {} ms, codecs {} ms, HTTP {} ms)", (done - started) / 1_000_000,
                (resolved - started) / 1_000_000, (codecs - resolved) / 1_000_000, (done - codecs) / 1_000_000);
    }

    private void exerciseCodecs() {
        String key = Base64.getEncoder().encodeToString(new byte[16]);
        String iv = Base64.getEncoder().encodeToString(new byte[16]);
        String sealed = UserDataCipher.encrypt(key, "{\"openId\":\"warm-up\",\"nickName\":\"\u70ed\u8eab\"}", iv);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", "wx0000000000000000");
        fields.put("mch_id", "1900000000");
        fields.put("nonce_str", "warmupwarmupwarmupwarmupwarmup00");
        fields.put("out_trade_no", "20260101000000warmupwarmupwarmup");
        fields.put("total_fee", "1");
        long deadline = System.nanoTime() + PHASE_BUDGET.toNanos();
        for (int i = 0; i < CODEC_ROUNDS && System.nanoTime() < deadline; i++) {
            UserDataCipher.decrypt(key, sealed, iv);
            for (SignType type : SignType.values()) {
                if (!type.apiV2()) {
                    continue;
                }
                Map<String, String> signed = new LinkedHashMap<>(fields);
                signed.put("sign", signer.sign(fields, type));
                signer.verify(xml.read(xml.write(signed)), type);
            }
        }
    }

    // requests the gateway refuses before any store or WeChat call: a login without a code, a token that cannot be
    // one; they run the server, the filters, JSON in and out and the error mapping
    private void exerciseHttp() {
        Integer port = environment.getProperty("local.server.port", Integer.class);
        if (port == null) {
            return;
        }
        WebClient self = WebClient.create("http://127.0.0.1:" + port);
        Flux.range(0, HTTP_ROUNDS)
                .flatMap(i -> (i % 2 == 0
                        ? self.post().uri("/login/").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                        : self.get().uri("/api/v1/users/me").header("Authorization", "Bearer warm-up"))
                        .exchangeToMono(response -> response.releaseBody()), 8)
                .take(PHASE_BUDGET)
                .onErrorResume(e -> {
                    log.warn("HTTP warm-up stopped early: {}", e.toString());
                    return Mono.empty();
                })
                .blockLast(Duration.ofSeconds(30));
    }

    private void resolveJackson() {
        Set<Class<?>> read = new LinkedHashSet<>();
        Set<ResolvableType> written = new LinkedHashSet<>();
        written.add(ResolvableType.forClass(ProblemDetail.class));
        written.add(ResolvableType.forClass(Map.class));
        handlers.getHandlerMethods().values().forEach(handler -> {
            Method method = handler.getMethod();
            for (MethodParameter parameter : handler.getMethodParameters()) {
                if (parameter.hasParameterAnnotation(RequestBody.class)) {
                    read.add(parameter.getParameterType());
                }
            }
            written.add(payload(ResolvableType.forMethodReturnType(method)));
        });
        read.forEach(json::readerFor);
        written.stream().filter(type -> type.resolve() != null && type.resolve() != Void.class)
                .forEach(type -> json.writerFor(json.constructType(type.getType())));
        log.debug("resolved Jackson readers for {} request and writers for {} response types", read.size(), written.size());
    }

    /** {@code Mono<ResponseEntity<X>>} and the like down to {@code X}. */
    private static ResolvableType payload(ResolvableType type) {
        ResolvableType t = type;
        while (t.resolve() != null && (Publisher.class.isAssignableFrom(t.resolve()) || HttpEntity.class.isAssignableFrom(t.resolve()))
                && t.hasGenerics()) {
            t = t.getGeneric(0);
        }
        return t;
    }
}
