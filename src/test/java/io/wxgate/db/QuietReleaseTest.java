package io.wxgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.wxgate.testing.TestServers;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A pool of one real MariaDB connection, so every borrow gets the same server session and its own counters tell
 * how many round trips the pool's clean-up cost.
 */
class QuietReleaseTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ConnectionFactory mysql;

    private ConnectionPool pool;

    @BeforeAll
    static void connect() {
        mysql = ConnectionFactories.get(ConnectionFactoryOptions.parse(TestServers.get().r2dbcUrl()).mutate()
                .option(ConnectionFactoryOptions.USER, "root").option(ConnectionFactoryOptions.PASSWORD, "").build());
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.disposeLater().block(WAIT);
        }
    }

    @Test
    void aConnectionThatOnlyRanStatementsGoesBackWithoutARoundTrip() {
        pool = poolOfOne(new QuietRelease(mysql));

        for (int i = 0; i < 10; i++) {
            assertThat(borrow(c -> scalar(c, "SELECT 1"))).isEqualTo("1");
        }

        assertThat(borrow(c -> scalar(c, "SHOW SESSION STATUS LIKE 'Com_admin_commands'", 1))).isEqualTo("0");
    }

    @Test
    void withoutItEveryReturnCostsAPing() {
        pool = poolOfOne(mysql);

        for (int i = 0; i < 10; i++) {
            borrow(c -> scalar(c, "SELECT 1"));
        }

        // what QuietRelease saves: r2dbc-mysql's rollback on release is a COM_PING when no transaction is open
        assertThat(Long.parseLong(borrow(c -> scalar(c, "SHOW SESSION STATUS LIKE 'Com_admin_commands'", 1))))
                .isGreaterThanOrEqualTo(10);
    }

    @Test
    void aConnectionLeftInATransactionIsStillRolledBackWhenItGoesBack() {
        pool = poolOfOne(new QuietRelease(mysql));
        createProbeTable();

        // autocommit off behind the pool's back, a row inserted, never committed
        borrow(c -> Mono.from(c.setAutoCommit(false)).then(update(c, "INSERT INTO quiet_release_probe (id) VALUES (1)")));

        // the same server session would see its own uncommitted row, had it not been rolled back on release
        assertThat(borrow(c -> scalar(c, "SELECT COUNT(*) FROM quiet_release_probe"))).isEqualTo("0");
    }

    @Test
    void aLoanThatCommittedATransactionIsCleanedUpAndTheLoansAfterItAreNot() {
        pool = poolOfOne(new QuietRelease(mysql));

        borrow(c -> Mono.from(c.beginTransaction()).then(scalar(c, "SELECT 1"))
                .flatMap(one -> Mono.from(c.commitTransaction()).thenReturn(one)));
        for (int i = 0; i < 10; i++) {
            borrow(c -> scalar(c, "SELECT 1"));
        }

        // r2dbc-mysql's clean-up after the committed transaction (a ping, as it is no longer open), none after
        assertThat(borrow(c -> scalar(c, "SHOW SESSION STATUS LIKE 'Com_admin_commands'", 1))).isEqualTo("1");
    }

    @Test
    void aConnectionWhoseAutocommitAnEarlierLoanLeftOffIsStillRolledBack() {
        pool = poolOfOne(new QuietRelease(mysql));
        createProbeTable();
        borrow(c -> Mono.from(c.setAutoCommit(false)).then(Mono.just("")));

        // this loan changes nothing itself, but its INSERT opens a transaction on a connection with autocommit off
        borrow(c -> update(c, "INSERT INTO quiet_release_probe (id) VALUES (2)"));

        assertThat(borrow(c -> scalar(c, "SELECT COUNT(*) FROM quiet_release_probe"))).isEqualTo("0");
    }

    @Test
    void aStatementCancelledMidwayDoesNotLeakItsAnswerIntoTheNextBorrower() {
        pool = poolOfOne(new QuietRelease(mysql));
        borrow(c -> scalar(c, "SELECT 1")); // connected, so the cancel below lands while the statement runs

        // a client that went away: the statement's subscriber cancels while the server still works on it
        Mono<String> slow = Mono.usingWhen(pool.create(), c -> scalar(c, "SELECT CONCAT('slow', SLEEP(0.5))"),
                Connection::close);
        assertThat(slow.timeout(Duration.ofMillis(100)).onErrorResume(e -> Mono.just("cancelled")).block(WAIT))
                .isEqualTo("cancelled");

        // the same (only) connection, lent again at once: it answers the new statement, not the old one, once the
        // old one is done on the server
        long started = System.nanoTime();
        assertThat(borrow(c -> scalar(c, "SELECT 'next'"))).isEqualTo("next");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the cancelled statement")
                .isGreaterThan(Duration.ofMillis(250));
        assertThat(borrow(c -> scalar(c, "SELECT 'after'"))).isEqualTo("after");
    }

    private void createProbeTable() {
        borrow(c -> update(c, "CREATE TABLE IF NOT EXISTS quiet_release_probe (id INT PRIMARY KEY)"));
        borrow(c -> update(c, "DELETE FROM quiet_release_probe"));
    }

    private static ConnectionPool poolOfOne(ConnectionFactory factory) {
        return new ConnectionPool(ConnectionPoolConfiguration.builder(factory).initialSize(1).maxSize(1)
                .maxAcquireTime(WAIT).build());
    }

    private String borrow(Function<Connection, Mono<String>> work) {
        return Mono.usingWhen(pool.create(), work, Connection::close).block(WAIT);
    }

    /** A statement run for its effect; emits "" so it fits {@link #borrow}. */
    private static Mono<String> update(Connection connection, String sql) {
        return Flux.from(connection.createStatement(sql).execute()).flatMap(result -> result.getRowsUpdated())
                .then(Mono.just(""));
    }

    private static Mono<String> scalar(Connection connection, String sql) {
        return scalar(connection, sql, 0);
    }

    private static Mono<String> scalar(Connection connection, String sql, int column) {
        return Flux.from(connection.createStatement(sql).execute())
                .flatMap(result -> result.map((row, meta) -> String.valueOf(row.get(column))))
                .single();
    }
}
