package io.wxgate.web;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpEntity;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.reactivestreams.Publisher;
import tools.jackson.databind.ObjectMapper;

/**
 * Jackson builds a type's (de)serializer on first use under a lock: the first burst of requests after a start
 * would wait on it, on event-loop threads. Before the gateway reports ready (runners finish before readiness),
 * this resolves the reader of every request body type and the writer of every response type the handlers declare.
 */
@Component
class CodecWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(CodecWarmUp.class);

    private final ObjectMapper json;
    private final RequestMappingHandlerMapping handlers;

    CodecWarmUp(ObjectMapper json, RequestMappingHandlerMapping requestMappingHandlerMapping) {
        this.json = json;
        this.handlers = requestMappingHandlerMapping;
    }

    @Override
    public void run(ApplicationArguments args) {
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
