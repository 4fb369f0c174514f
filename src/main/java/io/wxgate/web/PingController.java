package io.wxgate.web;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/ping} answers 204 and touches nothing: the cheapest request the public port serves, so a load
 * test can measure the machine's HTTP ceiling beside the real routes (health touches MySQL and Redis).
 */
@RestController
public class PingController {

    private static final Mono<ResponseEntity<Void>> NO_CONTENT = Mono.just(ResponseEntity.noContent().build());

    @GetMapping("/api/v1/ping")
    public Mono<ResponseEntity<Void>> ping() {
        return NO_CONTENT;
    }
}
