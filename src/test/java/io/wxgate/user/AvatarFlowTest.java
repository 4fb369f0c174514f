package io.wxgate.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxgate.login.SandboxPhone;
import io.wxgate.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Avatars over real HTTP: the image wx.uploadFile sends after chooseAvatar, typed by its bytes, size-limited, stored
 * in MariaDB and served back from a stable URL with caching headers.
 */
class AvatarFlowTest extends IntegrationTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Bytes that start as a PNG does, with random content so every test has its own image. */
    private static byte[] png(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(magic, 0, bytes, 0, magic.length);
        return bytes;
    }

    /** The body wx.uploadFile sends: one file part under the mini-program's field name, and a form field. */
    private static WebTestClient.ResponseSpec upload(HttpMethod method, String token, String field, String filename,
                                                     MediaType declared, byte[] bytes) {
        String boundary = "----wxgate-test-boundary-7MA4YWxkTrZu0gW";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\ntest\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + declared + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return gateway().method(method).uri("/api/v1/users/me/avatar").header("Authorization", "Bearer " + token)
                .contentType(MediaType.parseMediaType("multipart/form-data; boundary=" + boundary))
                .bodyValue(body.toByteArray()).exchange();
    }

    @Test
    void anUploadedAvatarIsStoredAndServedBackFromAStableCacheableUrl() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();
        byte[] image = png(200_000); // larger than the JSON body limit, as real avatars are

        // wx.uploadFile: POST, the mini-program's own field name, a temporary file name, a vague declared type
        JsonNode profile = upload(HttpMethod.POST, token, "file", "tmp_abc.png", MediaType.APPLICATION_OCTET_STREAM, image)
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        String url = profile.get("avatarUrl").asString();
        assertThat(url).matches("/api/v1/avatars/[0-9a-f]{64}");
        assertThat(user.row().get("avatar_url")).isEqualTo(url);
        byte[] served = gateway().get().uri(url).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.IMAGE_PNG)
                .expectHeader().valueMatches("Cache-Control", ".*max-age=31536000.*immutable.*")
                .expectHeader().valueEquals("ETag", "\"" + url.substring(url.lastIndexOf('/') + 1) + "\"")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Arrays.equals(served, image)).isTrue();
        gateway().get().uri(url).header("If-None-Match", "\"" + url.substring(url.lastIndexOf('/') + 1) + "\"").exchange()
                .expectStatus().isNotModified();
        // PUT with the same image: the same URL
        upload(HttpMethod.PUT, token, "avatar", "a.png", MediaType.IMAGE_PNG, image).expectStatus().isOk()
                .expectBody().jsonPath("$.avatarUrl").isEqualTo(url);
    }

    @Test
    void nonImagesAndOversizedImagesAreRefusedAndStoreNothing() {
        SandboxPhone user = SandboxPhone.newUser();
        String token = user.apiLogin();

        // declared image/png, but the bytes are text
        upload(HttpMethod.PUT, token, "file", "evil.png", MediaType.IMAGE_PNG, "<script>alert(1)</script>".getBytes())
                .expectStatus().isEqualTo(415).expectBody().jsonPath("$.code").isEqualTo("not_an_image");
        upload(HttpMethod.PUT, token, "file", "big.png", MediaType.IMAGE_PNG, png(1_048_576 + 1))
                .expectStatus().isEqualTo(413);
        upload(HttpMethod.PUT, "A".repeat(43), "file", "a.png", MediaType.IMAGE_PNG, png(1000))
                .expectStatus().isUnauthorized();

        assertThat(user.row().get("avatar_url")).isNull();
        gateway().get().uri("/api/v1/avatars/" + "0".repeat(64)).exchange().expectStatus().isNotFound();
        gateway().get().uri("/api/v1/avatars/not-a-hash").exchange().expectStatus().isNotFound();
    }
}
