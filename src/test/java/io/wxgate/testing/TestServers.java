package io.wxgate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The MariaDB and Redis the tests use, once per JVM: the machine's own servers at 127.0.0.1:3306 and
 * :6379 when they answer, embedded ones otherwise. {@code WXGATE_TEST_SERVERS=embedded} (or the system
 * property {@code wxgate.test.servers}) forces embedded servers, to prove the suite runs on a bare machine.
 */
public final class TestServers {

    /** Dropped and created anew per test JVM; {@code WXGATE_TEST_DATABASE} lets parallel checkouts use their own. */
    public static final String DATABASE = System.getenv().getOrDefault("WXGATE_TEST_DATABASE", "wxgate_test");

    private static TestServers instance;

    private final String mysqlHost = "127.0.0.1";
    private final int mysqlPort;
    private final String redisHost = "127.0.0.1";
    private final int redisPort;
    private final String description;

    private TestServers(int mysqlPort, int redisPort, String description) {
        this.mysqlPort = mysqlPort;
        this.redisPort = redisPort;
        this.description = description;
    }

    public static synchronized TestServers get() {
        if (instance == null) {
            instance = start();
            instance.recreateDatabase();
            System.out.println("wxgate tests use " + instance.description);
        }
        return instance;
    }

    private static TestServers start() {
        String mode = System.getProperty("wxgate.test.servers", System.getenv().getOrDefault("WXGATE_TEST_SERVERS", "auto"));
        boolean forceEmbedded = mode.equals("embedded");
        StringBuilder what = new StringBuilder();
        int mysql;
        if (!forceEmbedded && answers(3306)) {
            mysql = 3306;
            what.append("local MariaDB at 127.0.0.1:3306");
        } else {
            mysql = EmbeddedServers.freePort();
            var db = EmbeddedServers.startMariaDb(mysql);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> EmbeddedServers.stopQuietly(db)));
            what.append("embedded MariaDB at 127.0.0.1:").append(mysql);
        }
        int redis;
        if (!forceEmbedded && answers(6379)) {
            redis = 6379;
            what.append(", local Redis at 127.0.0.1:6379");
        } else {
            redis = EmbeddedServers.freePort();
            var server = EmbeddedServers.startRedis(redis);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> EmbeddedServers.stopQuietly(server)));
            what.append(", embedded Redis at 127.0.0.1:").append(redis);
        }
        return new TestServers(mysql, redis, what.toString());
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void recreateDatabase() {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + mysqlHost + ":" + mysqlPort + "/", "root", "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        } catch (SQLException e) {
            throw new IllegalStateException("could not recreate database " + DATABASE + " on port " + mysqlPort, e);
        }
    }

    public int mysqlPort() {
        return mysqlPort;
    }

    public int redisPort() {
        return redisPort;
    }

    public String r2dbcUrl() {
        return r2dbcUrl(mysqlHost, mysqlPort);
    }

    public static String r2dbcUrl(String host, int port) {
        return "r2dbc:mysql://" + host + ":" + port + "/" + DATABASE + "?useServerPrepareStatement=false";
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://" + mysqlHost + ":" + mysqlPort + "/" + DATABASE;
    }
}
