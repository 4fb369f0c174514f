package io.wxgate.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import redis.embedded.RedisServer;

/**
 * A Redis Cluster on loopback ports made of the redis-server binary that embedded-redis ships (6.2.6), so it runs
 * on a bare machine with only a JDK: N masters, each with one replica, cluster-node-timeout 1 s. Built the way
 * {@code redis-cli --cluster create} does it: CLUSTER ADDSLOTS on each master, CLUSTER MEET, CLUSTER REPLICATE.
 */
public final class RedisCluster implements AutoCloseable {

    /** One redis-server of the cluster. */
    public record Node(int port, RedisServer server, Path dir) {
        public String address() {
            return "127.0.0.1:" + port;
        }
    }

    private final List<Node> masters = new ArrayList<>();
    private final List<Node> replicas = new ArrayList<>();
    private final RedisClient client = RedisClient.create();

    private RedisCluster() {
    }

    /** Starts {@code masterCount} masters and as many replicas, and waits (at most 30 s) until the cluster is ok. */
    public static RedisCluster start(int masterCount) {
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < masterCount; i++) {
                cluster.masters.add(startNode());
                cluster.replicas.add(startNode());
            }
            cluster.form();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void form() {
        int n = masters.size();
        for (int i = 0; i < n; i++) {
            int from = SlotHash.SLOT_COUNT * i / n;
            int to = SlotHash.SLOT_COUNT * (i + 1) / n;
            int[] slots = IntStream.range(from, to).toArray();
            run(masters.get(i), c -> c.clusterAddSlots(slots));
        }
        Node first = masters.get(0);
        for (Node node : all()) {
            if (node != first) {
                run(first, c -> c.clusterMeet("127.0.0.1", node.port()));
            }
        }
        awaitUntil(Duration.ofSeconds(30), "every node knowing every other",
                () -> all().stream().allMatch(node -> run(node, RedisCommands::clusterNodes).lines().count() == all().size()));
        for (int i = 0; i < n; i++) {
            String masterId = run(masters.get(i), RedisCommands::clusterMyId);
            run(replicas.get(i), c -> c.clusterReplicate(masterId));
        }
        awaitUntil(Duration.ofSeconds(30), "cluster_state:ok with every replica attached", () -> all().stream().allMatch(node -> {
            String nodes = run(node, RedisCommands::clusterNodes);
            return run(node, RedisCommands::clusterInfo).contains("cluster_state:ok")
                    && nodes.lines().filter(line -> line.split(" ")[2].contains("slave")).count() == replicas.size();
        }));
    }

    /** The "host:port,..." list for {@code spring.data.redis.cluster.nodes}: the masters, as a team would give it. */
    public String nodes() {
        return masters.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /** The master currently serving {@code key}'s slot. */
    public Node masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (Node node : all()) {
            if (node.server().isActive()) {
                for (String line : run(node, RedisCommands::clusterNodes).lines().toList()) {
                    String[] f = line.split(" ");
                    if (f[2].contains("myself") && f[2].contains("master") && servesSlot(f, slot)) {
                        return node;
                    }
                }
            }
        }
        throw new IllegalStateException("no live master serves slot " + slot);
    }

    private static boolean servesSlot(String[] clusterNodesLine, int slot) {
        for (int i = 8; i < clusterNodesLine.length; i++) {
            String range = clusterNodesLine[i];
            if (range.startsWith("[")) {
                continue;
            }
            String[] bounds = range.split("-");
            int lo = Integer.parseInt(bounds[0]);
            int hi = bounds.length > 1 ? Integer.parseInt(bounds[1]) : lo;
            if (slot >= lo && slot <= hi) {
                return true;
            }
        }
        return false;
    }

    /** The replica of {@code master}'s slots. */
    public Node replicaOf(Node master) {
        return replicas.get(masters.indexOf(master));
    }

    /** Whether {@code node}, read as a replica (READONLY), has {@code key} yet. */
    public boolean holds(Node node, String key) {
        return run(node, c -> {
            c.readOnly();
            return c.exists(key);
        }) == 1;
    }

    /** SIGKILL to one node: the cluster must fail its slots over to the replica. */
    public void kill(Node node) {
        try {
            node.server().stop();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the cluster reports ok again from a live node, with {@code node} promoted to master. */
    public void awaitPromoted(Node node, Duration limit) {
        awaitUntil(limit, "node " + node.port() + " promoted and the cluster ok", () -> {
            try {
                return run(node, RedisCommands::info).contains("role:master")
                        && run(node, RedisCommands::clusterInfo).contains("cluster_state:ok");
            } catch (io.lettuce.core.RedisException busyFailingOver) {
                return false;
            }
        });
    }

    public List<Node> all() {
        List<Node> all = new ArrayList<>(masters);
        all.addAll(replicas);
        return all;
    }

    private <T> T run(Node node, Function<RedisCommands<String, String>, T> command) {
        RedisURI uri = RedisURI.create("127.0.0.1", node.port());
        uri.setTimeout(Duration.ofSeconds(5));
        try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            return command.apply(connection.sync());
        }
    }

    @Override
    public void close() {
        for (Node node : all()) {
            try {
                node.server().stop();
            } catch (IOException e) {
                System.err.println("cluster node " + node.port() + " did not stop cleanly: " + e);
            }
            deleteQuietly(node.dir());
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static Node startNode() {
        int port = freeClusterPort();
        try {
            Path dir = Files.createTempDirectory("wxgate-redis-cluster-");
            RedisServer server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("cluster-enabled yes")
                    .setting("cluster-config-file " + dir.resolve("nodes.conf"))
                    .setting("cluster-node-timeout 1000")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("dir " + dir)
                    .onShutdownForceStop(true)
                    .build();
            server.start();
            return new Node(port, server, dir);
        } catch (IOException e) {
            throw new IllegalStateException("could not start a cluster node on port " + port, e);
        }
    }

    /** A port that is free together with its cluster bus port (port + 10000). */
    private static int freeClusterPort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 50000);
            if (bindable(port) && bindable(port + 10000)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair for a cluster node");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitUntil(Duration limit, String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster: timed out after " + limit + " waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
