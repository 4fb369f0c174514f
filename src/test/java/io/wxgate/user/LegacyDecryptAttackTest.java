package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.IntegrationTest;
import io.wxgate.testing.TestWorld;
import io.wxgate.wechat.UserDataCipher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/**
 * The CBC padding-oracle attack on the legacy encrypted flows, over real HTTP: a logged-in user tampers with their
 * own encryptedData and watches the answers. Every refusal must read the same, the session must end after
 * {@code gateway.open-data.max-failures} of them, and nothing may be stored.
 */
class LegacyDecryptAttackTest extends IntegrationTest {

    private static final int MAX_FAILURES = 5;
    private static final String INVALID_TOKEN = "{\"code\":2,\"msg\":\"无效的token\"}";

    @Autowired
    ReactiveStringRedisTemplate redis;

    private final WebClient http = WebClient.create(world().gatewayUrl());

    @Test
    void twoThousandTamperedCiphertextsGetOneAnswerThenTheSessionIsRevokedAndNothingIsStored() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.seedLogin();
        JsonNode genuine = phone.wxGetUserInfo(Map.of("nickName", "Victim"));
        Map<String, Object> rowBefore = phone.row();
        String iv = genuine.get("iv").asString();
        byte[] data = Base64.getDecoder().decode(genuine.get("encryptedData").asString());
        String key = phone.sessionKey();
        long now = System.currentTimeMillis() / 1000;

        // the first refusals are of every kind a real oracle would tell apart: bad padding, good padding with
        // garbage, and well-formed JSON under the real session_key with a foreign appid, an old watermark, another openId
        List<Map<String, Object>> attempts = new ArrayList<>();
        attempts.add(body(iv, tampered(data, 1, 0x01), token));
        attempts.add(body(iv, UserDataCipher.encrypt(key, "nickName=Mallory&city=anywhere", iv), token));
        attempts.add(body(iv, UserDataCipher.encrypt(key, userJson(phone.openid(), "wx0000000000000000", now), iv), token));
        attempts.add(body(iv, UserDataCipher.encrypt(key, userJson(phone.openid(), TestWorld.APPID, now - 3600), iv), token));
        attempts.add(body(iv, UserDataCipher.encrypt(key, userJson("oSomebodyElse000000000000000", TestWorld.APPID, now), iv), token));
        // then the padding-oracle walk itself: every value of the last eight bytes of the block before the last
        for (int position = 1; position <= 8; position++) {
            for (int guess = 1; guess < 256; guess++) {
                attempts.add(body(iv, tampered(data, position, guess), token));
            }
        }
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(2000);

        List<Answer> first = new ArrayList<>();
        for (Map<String, Object> attempt : attempts.subList(0, MAX_FAILURES)) {
            first.add(send(attempt));
        }
        List<Answer> rest = Flux.fromIterable(attempts.subList(MAX_FAILURES, attempts.size()))
                .flatMap(this::sendAsync, 32)
                .collectList().block(Duration.ofSeconds(120));

        // one answer to every refusal, byte for byte
        assertThat(first.stream().distinct().toList()).singleElement().satisfies(answer -> {
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("\"code\":3").contains(UserDataRejected.DETAIL);
        });
        // then the token is dead: the seed's own "invalid token", for every remaining try
        Set<Answer> afterwards = rest.stream().collect(Collectors.toSet());
        assertThat(afterwards).containsExactly(new Answer(200, INVALID_TOKEN));
        assertThat(rest).hasSize(attempts.size() - MAX_FAILURES);
        // nothing was stored, the session and its counter are gone from Redis, the API agrees
        assertThat(phone.row()).isEqualTo(rowBefore);
        assertThat(redis.hasKey("wxgate:session:" + token).block(Duration.ofSeconds(5))).isFalse();
        assertThat(redis.hasKey("wxgate:open-data-failures:" + token).block(Duration.ofSeconds(5))).isFalse();
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isUnauthorized();
        // logging in again works: the user is not locked out, only the attacked session ended
        String fresh = phone.seedLogin();
        JsonNode honest = phone.wxGetUserInfo();
        post("/getinfo/", body(honest.get("iv").asString(), honest.get("encryptedData").asString(), fresh))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo(0);
    }

    @Test
    void failuresOnEveryLegacyRouteCountTowardsTheSameLimit() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        String iv = Base64.getEncoder().encodeToString(new byte[16]);
        String junk = Base64.getEncoder().encodeToString(new byte[32]);

        for (int i = 0; i < 2; i++) {
            post("/getinfo/", body(iv, junk, token)).expectStatus().isBadRequest();
            bearer("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", junk)).expectStatus().isBadRequest();
        }
        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();
        post("/getphone/", body(iv, junk, token)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.msg").isEqualTo(UserDataRejected.DETAIL);

        gateway().get().uri("/api/v1/users/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("session_expired");
        assertThat(phone.row().get("phone_number")).isNull();
    }

    @Test
    void unionidInClientDataIsIgnoredAndTheOneFromJscode2sessionKept() {
        SandboxPhone phone = SandboxPhone.newUser();
        String token = phone.apiLogin();
        String key = phone.sessionKey();
        String iv = Base64.getEncoder().encodeToString(new byte[16]);
        String forged = userJson(phone.openid(), TestWorld.APPID, System.currentTimeMillis() / 1000)
                .replace("{", "{\"unionId\":\"oForgedUnion000000000000001\",");

        bearer("/api/v1/users/me/profile", token, Map.of("iv", iv, "encryptedData", UserDataCipher.encrypt(key, forged, iv)))
                .expectStatus().isOk();

        assertThat(phone.row().get("nick_name")).isEqualTo("Mallory");
        assertThat(phone.row().get("unionid")).isNull();
    }

    private Answer send(Map<String, Object> body) {
        return sendAsync(body).block(Duration.ofSeconds(20));
    }

    private reactor.core.publisher.Mono<Answer> sendAsync(Map<String, Object> body) {
        return http.post().uri("/getinfo/").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .map(text -> new Answer(response.statusCode().value(), text)));
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec post(String path, Object body) {
        return gateway().post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec bearer(String path, String token, Object body) {
        return gateway().post().uri(path).contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + token).bodyValue(body).exchange();
    }

    private static Map<String, Object> body(String iv, String encryptedData, String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("iv", iv);
        body.put("encryptedData", encryptedData);
        body.put("token", token);
        return body;
    }

    /** The ciphertext with one byte of the block before the last XORed: what a padding-oracle attacker sends. */
    private static String tampered(byte[] data, int position, int guess) {
        byte[] copy = data.clone();
        copy[data.length - 16 - position] ^= (byte) guess;
        return Base64.getEncoder().encodeToString(copy);
    }

    private static String userJson(String openId, String appid, long timestamp) {
        return "{\"openId\":\"" + openId + "\",\"nickName\":\"Mallory\",\"watermark\":{\"appid\":\"" + appid
                + "\",\"timestamp\":" + timestamp + "}}";
    }

    private record Answer(int status, String body) {
    }
}
