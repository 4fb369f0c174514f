package io.wxgate.user;

import java.nio.ByteBuffer;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The {@code user_avatar} table: images by their SHA-256, written once. */
@Repository
public class AvatarRepository {

    private final DatabaseClient db;

    public AvatarRepository(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> save(AvatarImage image) {
        return db.sql("INSERT IGNORE INTO user_avatar (sha256, content_type, bytes) VALUES (:sha256, :contentType, :bytes)")
                .bind("sha256", image.sha256())
                .bind("contentType", image.contentType())
                .bind("bytes", ByteBuffer.wrap(image.bytes()))
                .then();
    }

    public Mono<AvatarImage> find(String sha256) {
        return db.sql("SELECT content_type, bytes FROM user_avatar WHERE sha256 = :sha256")
                .bind("sha256", sha256)
                .map(row -> {
                    ByteBuffer buffer = row.get("bytes", ByteBuffer.class);
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    return new AvatarImage(row.get("content_type", String.class), bytes, sha256);
                })
                .one();
    }
}
