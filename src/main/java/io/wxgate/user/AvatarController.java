package io.wxgate.user;

import io.wxgate.login.BearerToken;
import io.wxgate.login.SessionStore;
import io.wxgate.web.BadRequest;
import io.wxgate.web.GatewayException;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.DefaultPartHttpMessageReader;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Avatars the current way: the image {@code wx.uploadFile} sends after {@code chooseAvatar} (multipart, any field
 * name), checked by its bytes and size, stored in MySQL under its SHA-256 and served back at a URL that never
 * changes, so clients and CDNs may cache it for good.
 */
@RestController
public class AvatarController {

    static final String PATH = "/api/v1/avatars/";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final SessionStore sessions;
    private final AvatarRepository avatars;
    private final UserRepository users;
    private final AvatarProperties properties;

    private final DefaultPartHttpMessageReader multipart;

    public AvatarController(SessionStore sessions, AvatarRepository avatars, UserRepository users, AvatarProperties properties) {
        this.sessions = sessions;
        this.avatars = avatars;
        this.users = users;
        this.properties = properties;
        // its own multipart reader: every part in memory up to the avatar limit, and never more than that on disk
        this.multipart = new DefaultPartHttpMessageReader();
        multipart.setMaxInMemorySize(properties.maxBytes() + 8192);
        multipart.setMaxDiskUsagePerPart(0);
        multipart.setMaxParts(4);
    }

    /** wx.uploadFile can only POST; PUT is there for other clients. */
    @RequestMapping(path = "/api/v1/users/me/avatar", method = {RequestMethod.PUT, RequestMethod.POST},
            consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public Mono<UserProfile> upload(@RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                    ServerWebExchange exchange) {
        return Mono.fromCallable(() -> BearerToken.from(authorization))
                .flatMap(sessions::require)
                .flatMap(session -> multipart.read(ResolvableType.forClass(Part.class), exchange.getRequest(), Map.of())
                        .onErrorMap(DataBufferLimitException.class, e -> new AvatarTooLarge(properties.maxBytes()))
                        // the whole multipart body is read (and bounded) before any part is looked at
                        .collectList()
                        .flatMap(parts -> parts.stream().filter(FilePart.class::isInstance).findFirst()
                                .map(Mono::just)
                                .orElseGet(() -> Mono.error(new BadRequest("send the image as a multipart file part"))))
                        .flatMap(this::bytesOf)
                        .map(bytes -> AvatarImage.of(bytes).orElseThrow(NotAnImage::new))
                        .flatMap(image -> avatars.save(image)
                                .then(users.saveAvatarUrl(session.openid(), PATH + image.sha256())))
                        .then(users.find(session.openid())));
    }

    @GetMapping(PATH + "{sha256}")
    public Mono<ResponseEntity<byte[]>> avatar(@PathVariable String sha256,
                                               @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        if (!SHA256.matcher(sha256).matches()) {
            return Mono.just(ResponseEntity.notFound().build());
        }
        String etag = "\"" + sha256 + "\"";
        CacheControl forever = CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();
        return avatars.find(sha256)
                .map(image -> etag.equals(ifNoneMatch)
                        ? ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(forever).<byte[]>build()
                        : ResponseEntity.ok().contentType(MediaType.parseMediaType(image.contentType()))
                                .eTag(etag).cacheControl(forever).body(image.bytes()))
                .defaultIfEmpty(ResponseEntity.notFound().build());
    }

    private Mono<byte[]> bytesOf(Part part) {
        return DataBufferUtils.join(part.content(), properties.maxBytes())
                .onErrorMap(DataBufferLimitException.class, e -> new AvatarTooLarge(properties.maxBytes()))
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .switchIfEmpty(Mono.error(() -> new NotAnImage()));
    }

    /** The upload is not a JPEG, PNG, GIF or WebP image, whatever its name or declared type. */
    public static final class NotAnImage extends GatewayException {
        NotAnImage() {
            super(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "not_an_image", 1, "the avatar must be a JPEG, PNG, GIF or WebP image");
        }
    }

    /** The upload is larger than {@code gateway.avatar.max-bytes}. */
    public static final class AvatarTooLarge extends GatewayException {
        AvatarTooLarge(int maxBytes) {
            super(HttpStatus.PAYLOAD_TOO_LARGE, "avatar_too_large", 1, "the avatar is larger than " + maxBytes + " bytes");
        }
    }
}
