package io.wxgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The image Jib wrote to target/jib-image.tar ({@code ./mvnw -B -Pimage verify}), read as a container runtime would:
 * manifest, config (entrypoint, user, ports, environment) and every layer's files.
 */
class ImageTarIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Map<String, byte[]> outer;
    private static JsonNode config;
    private static List<Map<String, byte[]>> layers;

    @BeforeAll
    static void readImage() throws IOException {
        Path tar = Path.of(System.getProperty("wxgate.image.tar", "target/jib-image.tar"));
        assertThat(tar).as("build it with ./mvnw -B -Pimage verify").exists();
        try (InputStream in = Files.newInputStream(tar)) {
            outer = new LinkedHashMap<>();
            readTar(in, (name, content) -> outer.put(name, content));
        }
        JsonNode manifest = JSON.readTree(outer.get("manifest.json")).get(0);
        config = JSON.readTree(outer.get(manifest.get("Config").asString()));
        layers = new ArrayList<>();
        for (JsonNode layer : manifest.get("Layers")) {
            byte[] bytes = outer.get(layer.asString());
            Map<String, byte[]> files = new LinkedHashMap<>();
            InputStream content = new ByteArrayInputStream(bytes);
            if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                content = new GZIPInputStream(content);
            }
            readTar(content, (name, data) -> files.put(name.replaceFirst("^\\./", "").replaceFirst("^/", ""), data));
            layers.add(files);
        }
    }

    private static byte[] file(String path) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).containsKey(path)) {
                return layers.get(i).get(path);
            }
        }
        return null;
    }

    @Test
    void entrypointRunsTheGatewayWithJava() {
        List<String> entrypoint = new ArrayList<>();
        config.get("config").get("Entrypoint").forEach(e -> entrypoint.add(e.asString()));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-cp").last().isEqualTo("io.wxgate.WxgateApplication");
        assertThat(config.get("config").get("WorkingDir").asString()).isEqualTo("/app");
    }

    @Test
    void runsAsTheNonRootUserTheManifestsExpect() {
        assertThat(config.get("config").get("User").asString()).isEqualTo("10001:10001");
    }

    @Test
    void exposesThePublicAndTheManagementPort() {
        List<String> ports = new ArrayList<>();
        config.get("config").get("ExposedPorts").propertyNames().forEach(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("8080/tcp", "9090/tcp");
        assertThat(config.get("config").get("Env").toString()).contains("SPRING_PROFILES_ACTIVE=prod");
    }

    @Test
    void layersHoldAJreTheApplicationAndTheProdProfile() throws IOException {
        // the base layer(s), then Jib's: dependencies, resources, classes, the extra config directory, ...
        assertThat(layers).hasSizeGreaterThanOrEqualTo(4);
        assertThat(file("usr/lib/jvm/java-17-openjdk-amd64/bin/java")).as("a Java 17 runtime").isNotNull();
        assertThat(file("usr/lib/jvm/java-17-openjdk-amd64/bin/javac")).as("a JRE, not a JDK").isNull();
        assertThat(file("app/classes/io/wxgate/WxgateApplication.class")).isNotNull();
        assertThat(file("app/resources/application.yml")).isNotNull();
        assertThat(layers.stream().flatMap(l -> l.keySet().stream())
                .anyMatch(name -> name.startsWith("app/libs/spring-boot-") && name.endsWith(".jar"))).isTrue();
        assertThat(file("app/config/application-prod.yml"))
                .isEqualTo(Files.readAllBytes(Path.of("config/application-prod.yml")));
        assertThat(file("app/config/wxgate.env.example")).isNull();
    }

    /** A tar stream's regular files (ustar headers, 512-byte blocks), enough for image tars. */
    private static void readTar(InputStream in, BiConsumer<String, byte[]> onFile) throws IOException {
        byte[] header = new byte[512];
        String longName = null;
        while (in.readNBytes(header, 0, 512) == 512) {
            if (header[0] == 0) {
                return;
            }
            String name = text(header, 0, 100);
            String prefix = text(header, 345, 155);
            if (!prefix.isEmpty() && text(header, 257, 6).startsWith("ustar")) {
                name = prefix + "/" + name;
            }
            long size = Long.parseLong(text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
            char type = (char) header[156];
            byte[] content = in.readNBytes((int) size);
            in.skipNBytes((512 - size % 512) % 512);
            if (type == 'L') {
                longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
                continue;
            }
            if (longName != null) {
                name = longName;
                longName = null;
            }
            if (type == '0' || type == 0) {
                onFile.accept(name, content);
            } else if (type == '2' || type == '1') {
                onFile.accept(name, new byte[0]);
            }
        }
    }

    private static String text(byte[] block, int offset, int length) {
        int end = offset;
        while (end < offset + length && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
