package io.wxgate.sandbox.miniapp;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Test controls over the sandbox's access tokens: how many an app was issued, and what two hours passing
 * ({@code expire}: 42001) or a reset elsewhere ({@code invalidate}: 40001) does to the ones out there.
 */
@RestController
@RequestMapping("/sandbox/access-tokens")
public class AccessTokenControls {

    public record AppRequest(String appid) {
    }

    private final AccessTokens tokens;

    public AccessTokenControls(AccessTokens tokens) {
        this.tokens = tokens;
    }

    @GetMapping
    public Map<String, Object> issued(@RequestParam String appid) {
        return Map.of("appid", appid, "issued", tokens.issued(appid));
    }

    @PostMapping("/expire")
    public Map<String, Object> expire(@RequestBody AppRequest request) {
        tokens.expireAll(request.appid());
        return Map.of("appid", request.appid(), "expired", true);
    }

    @PostMapping("/invalidate")
    public Map<String, Object> invalidate(@RequestBody AppRequest request) {
        tokens.invalidateAll(request.appid());
        return Map.of("appid", request.appid(), "invalidated", true);
    }
}
