package io.wxgate.db;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Lifecycle;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The connections the pool lends, returned without a round trip when nothing about them changed.
 *
 * <p>r2dbc-mysql cleans up every connection the pool takes back ({@link Lifecycle#preRelease()}) by rolling back,
 * and with no transaction open that "rollback" is a {@code COM_PING} to the server. Spring's {@code DatabaseClient}
 * borrows a connection per statement, so that was one extra round trip per statement: two of the six a
 * {@code /getinfo/} made, measured as {@code Com_admin_commands} rising by two per request. Here a connection goes
 * back through r2dbc-mysql's clean-up as before when a transaction may be open: when someone began, committed or
 * rolled back a transaction, used a savepoint or changed autocommit, isolation, lock wait or statement timeout
 * since the pool lent it, or when the server's last status says a transaction is open or autocommit is off (a local
 * check, no round trip). A connection that only ran statements in autocommit mode goes back as it is.
 */
final class QuietRelease implements ConnectionFactory, Wrapped<ConnectionFactory> {

    private final ConnectionFactory factory;

    QuietRelease(ConnectionFactory factory) {
        this.factory = factory;
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.from(factory.create()).map(LentConnection::new);
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return factory.getMetadata();
    }

    @Override
    public ConnectionFactory unwrap() {
        return factory;
    }

    /** One driver connection, remembering whether its transaction state may have changed since the pool lent it. */
    static final class LentConnection implements Connection, Lifecycle, Wrapped<Connection> {

        private final Connection connection;
        private volatile boolean stateChanged;

        LentConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Publisher<Void> postAllocate() {
            stateChanged = false;
            return connection instanceof Lifecycle lifecycle ? lifecycle.postAllocate() : Mono.empty();
        }

        @Override
        public Publisher<Void> preRelease() {
            boolean mayBeInTransaction = stateChanged || !connection.isAutoCommit();
            return mayBeInTransaction && connection instanceof Lifecycle lifecycle ? lifecycle.preRelease() : Mono.empty();
        }

        private <T> T changing(T action) {
            stateChanged = true;
            return action;
        }

        @Override
        public Publisher<Void> beginTransaction() {
            return changing(connection.beginTransaction());
        }

        @Override
        public Publisher<Void> beginTransaction(TransactionDefinition definition) {
            return changing(connection.beginTransaction(definition));
        }

        @Override
        public Publisher<Void> commitTransaction() {
            return changing(connection.commitTransaction());
        }

        @Override
        public Publisher<Void> rollbackTransaction() {
            return changing(connection.rollbackTransaction());
        }

        @Override
        public Publisher<Void> createSavepoint(String name) {
            return changing(connection.createSavepoint(name));
        }

        @Override
        public Publisher<Void> releaseSavepoint(String name) {
            return changing(connection.releaseSavepoint(name));
        }

        @Override
        public Publisher<Void> rollbackTransactionToSavepoint(String name) {
            return changing(connection.rollbackTransactionToSavepoint(name));
        }

        @Override
        public Publisher<Void> setAutoCommit(boolean autoCommit) {
            return changing(connection.setAutoCommit(autoCommit));
        }

        @Override
        public Publisher<Void> setTransactionIsolationLevel(IsolationLevel level) {
            return changing(connection.setTransactionIsolationLevel(level));
        }

        @Override
        public Publisher<Void> setLockWaitTimeout(Duration timeout) {
            return changing(connection.setLockWaitTimeout(timeout));
        }

        @Override
        public Publisher<Void> setStatementTimeout(Duration timeout) {
            return changing(connection.setStatementTimeout(timeout));
        }

        @Override
        public Batch createBatch() {
            return connection.createBatch();
        }

        @Override
        public Statement createStatement(String sql) {
            return connection.createStatement(sql);
        }

        @Override
        public boolean isAutoCommit() {
            return connection.isAutoCommit();
        }

        @Override
        public ConnectionMetadata getMetadata() {
            return connection.getMetadata();
        }

        @Override
        public IsolationLevel getTransactionIsolationLevel() {
            return connection.getTransactionIsolationLevel();
        }

        @Override
        public Publisher<Boolean> validate(ValidationDepth depth) {
            return connection.validate(depth);
        }

        @Override
        public Publisher<Void> close() {
            return connection.close();
        }

        @Override
        public Connection unwrap() {
            return connection;
        }
    }
}
