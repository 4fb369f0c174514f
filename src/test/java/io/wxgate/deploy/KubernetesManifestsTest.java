package io.wxgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests under k8s/ as a cluster would get them: each overlay rendered by kustomize (k8s/render.sh writes
 * k8s/rendered/; where kubectl is installed this test renders again and insists the files are current), each
 * document read strictly into Kubernetes' typed model (fabric8 kubernetes-model: a field the schema does not know
 * fails), then the facts that matter checked: probes on the management port, non-root, read-only root filesystem,
 * spread over zones and nodes, metrics reachable only from monitoring.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of(
            "ConfigMap", ConfigMap.class,
            "Secret", Secret.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "NetworkPolicy", NetworkPolicy.class,
            // the Prometheus Operator's CRD has no model here: read generically, its fields checked one by one below
            "ServiceMonitor", GenericKubernetesResource.class,
            "PrometheusRule", GenericKubernetesResource.class);

    /** The rendered overlay's documents, each in its typed model. */
    private static List<HasMetadata> rendered(String overlay) throws IOException {
        return strictlyTyped(Files.readString(K8S.resolve("rendered/" + overlay + ".yaml"), StandardCharsets.UTF_8));
    }

    static List<HasMetadata> strictlyTyped(String yaml) {
        List<HasMetadata> typed = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document == null) {
                continue;
            }
            Map<?, ?> map = (Map<?, ?>) document;
            Class<? extends HasMetadata> model = MODELS.get(String.valueOf(map.get("kind")));
            assertThat(model).as("a model for kind %s", map.get("kind")).isNotNull();
            HasMetadata resource = JSON.convertValue(map, model);
            if (model != GenericKubernetesResource.class) {
                List<String> unknown = new ArrayList<>();
                collectUnknownFields(resource, map.get("kind") + "/" + resource.getMetadata().getName(), unknown);
                assertThat(unknown).as("fields the Kubernetes schema does not know").isEmpty();
            }
            typed.add(resource);
        }
        return typed;
    }

    /** fabric8's models keep what they do not know in additionalProperties: anything there is not Kubernetes. */
    private static void collectUnknownFields(Object node, String path, List<String> unknown) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                unknown.add(path + "." + getter.getName() + ": " + (e.getCause() != null ? e.getCause() : e));
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> resources, Class<T> type, String name) {
        return all(resources, type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void renderedFilesAreWhatTheOverlaysRenderTo(String overlay) throws Exception {
        String committed = Files.readString(K8S.resolve("rendered/" + overlay + ".yaml"), StandardCharsets.UTF_8);
        assertThat(committed).contains("kind: Deployment");
        boolean kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
        if (!kubectl) {
            System.out.println("kubectl is not installed: validating the committed k8s/rendered/" + overlay + ".yaml as it is");
            return;
        }
        Process render = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays/" + overlay).toString())
                .redirectErrorStream(true).start();
        String output = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(render.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(render.exitValue()).as(output).isZero();
        assertThat(output).as("k8s/rendered/%s.yaml is stale: run k8s/render.sh", overlay).isEqualTo(committed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyOverlayHasTheWholeSetInItsNamespace(String overlay) throws IOException {
        List<HasMetadata> resources = rendered(overlay);
        assertThat(resources.stream().map(HasMetadata::getKind).collect(Collectors.toSet())).containsExactlyInAnyOrder(
                "ConfigMap", "Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                "ServiceMonitor", "PrometheusRule");
        String namespace = overlay.equals("prod") ? "wxgate" : "wxgate-dev";
        assertThat(resources).allSatisfy(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo(namespace));
        assertThat(resources).noneMatch(r -> r instanceof Secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    @SuppressWarnings("unchecked")
    void theAlertRulesAreRenderedWithSeverityAndSummaryAndPromtoolAcceptsThem(String overlay) throws Exception {
        GenericKubernetesResource rule = (GenericKubernetesResource) rendered(overlay).stream()
                .filter(r -> r.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rule.getAdditionalProperties()
                .get("spec")).get("groups");
        List<Map<String, Object>> rules = groups.stream()
                .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream()).toList();
        assertThat(rules.stream().map(r -> r.get("alert"))).contains("WxgateNotifyFailures", "WxgateBreakerOpen",
                "WxgatePaidAfterClose", "WxgateReconcilerLag", "WxgateHigh5xxRate", "WxgateGateRefusals");
        assertThat(rules).allSatisfy(r -> {
            assertThat((String) r.get("expr")).isNotBlank();
            assertThat(((Map<String, Object>) r.get("labels")).get("severity")).isIn("warning", "critical");
            assertThat(((Map<String, Object>) r.get("annotations")).get("summary")).isNotNull();
        });

        boolean promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
        if (!promtool) {
            System.out.println("promtool is not installed (Debian: apt-get install prometheus): rule syntax not checked");
            return;
        }
        Path file = Files.createTempFile("wxgate-rules", ".yaml");
        try {
            Files.writeString(file, new Yaml().dump(Map.of("groups", groups)));
            Process check = new ProcessBuilder("promtool", "check", "rules", file.toString()).redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(output).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theDeploymentProbesTheManagementPortAndRunsLockedDown(String overlay) throws IOException {
        List<HasMetadata> resources = rendered(overlay);
        Deployment deployment = one(resources, Deployment.class, "wxgate");
        ConfigMap config = one(resources, ConfigMap.class, "wxgate-config");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, Integer> ports = container.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));

        assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of("http", 8080, "management", 9090));
        assertThat(config.getData()).containsEntry("WXGATE_PORT", "8080").containsEntry("WXGATE_MANAGEMENT_PORT", "9090")
                .containsEntry("SPRING_PROFILES_ACTIVE", "prod");
        for (Probe probe : List.of(container.getReadinessProbe(), container.getLivenessProbe(), container.getStartupProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
            assertThat(probe.getHttpGet().getPath()).startsWith("/actuator/health/");
        }
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        // with a read-only root, the JVM and Netty still need a writable /tmp
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());

        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(container.getEnvFrom()).extracting(e -> e.getSecretRef() == null ? null : e.getSecretRef().getName())
                .contains("wxgate-secrets");
        assertThat(container.getImage()).startsWith("registry.example.com/wxgate/wxgate:");

        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(pod.getTopologySpreadConstraints()).extracting(TopologySpreadConstraint::getTopologyKey)
                .containsExactlyInAnyOrder("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        assertThat(pod.getTopologySpreadConstraints())
                .allSatisfy(c -> assertThat(podLabels).containsAllEntriesOf(c.getLabelSelector().getMatchLabels()));

        // the grace period covers the preStop pause and the graceful shutdown phase (WXGATE_SHUTDOWN_TIMEOUT, 20 s), with room
        assertThat(pod.getTerminationGracePeriodSeconds())
                .isGreaterThan(container.getLifecycle().getPreStop().getSleep().getSeconds() + 30L);
    }

    @Test
    void prodRunsThreeOrMoreReplicasAndDevOne() throws IOException {
        List<HasMetadata> prod = rendered("prod");
        List<HasMetadata> dev = rendered("dev");
        assertThat(one(prod, Deployment.class, "wxgate").getSpec().getReplicas()).isEqualTo(3);
        assertThat(one(prod, HorizontalPodAutoscaler.class, "wxgate").getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(one(prod, HorizontalPodAutoscaler.class, "wxgate").getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(one(dev, Deployment.class, "wxgate").getSpec().getReplicas()).isEqualTo(1);
        assertThat(one(dev, HorizontalPodAutoscaler.class, "wxgate").getSpec().getMaxReplicas()).isEqualTo(2);
        assertThat(one(dev, ConfigMap.class, "wxgate-config").getData()).containsEntry("WXGATE_SESSION_TTL", "1800s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void metricsAreReachableForPrometheusOnlyAndNeverThroughThePublicService(String overlay) throws IOException {
        List<HasMetadata> resources = rendered(overlay);
        Deployment deployment = one(resources, Deployment.class, "wxgate");
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        Service publicService = one(resources, Service.class, "wxgate");
        assertThat(publicService.getSpec().getPorts()).allSatisfy(p -> {
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            assertThat(p.getPort()).isNotEqualTo(9090);
        });
        assertThat(podLabels).containsAllEntriesOf(publicService.getSpec().getSelector());
        Service management = one(resources, Service.class, "wxgate-management");
        assertThat(management.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("management"));

        GenericKubernetesResource monitor = all(resources, GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        assertThat(spec.keySet()).containsExactlyInAnyOrder("selector", "endpoints");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = (Map<String, Object>) ((List<?>) spec.get("endpoints")).get(0);
        assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
        @SuppressWarnings("unchecked")
        Map<String, String> selected = (Map<String, String>) ((Map<?, ?>) spec.get("selector")).get("matchLabels");
        assertThat(management.getMetadata().getLabels()).containsAllEntriesOf(selected);
        assertThat(selected).isNotEqualTo(publicService.getMetadata().getLabels()).doesNotContainEntry("app.kubernetes.io/component", "gateway");

        NetworkPolicy policy = one(resources, NetworkPolicy.class, "wxgate");
        assertThat(podLabels).containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        List<NetworkPolicyIngressRule> toManagement = policy.getSpec().getIngress().stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(p -> "management".equals(p.getPort().getStrVal())))
                .toList();
        assertThat(toManagement).singleElement().satisfies(rule -> assertThat(rule.getFrom()).singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsEntry("kubernetes.io/metadata.name", "monitoring")));

        PodDisruptionBudget pdb = one(resources, PodDisruptionBudget.class, "wxgate");
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        HorizontalPodAutoscaler hpa = one(resources, HorizontalPodAutoscaler.class, "wxgate");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("wxgate");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    }

    @Test
    void theSecretTemplateHoldsPlaceholdersForEverySecretAndNothingElse() throws IOException {
        Secret secret = (Secret) strictlyTyped(Files.readString(K8S.resolve("secret-template.yaml"))).get(0);
        assertThat(secret.getMetadata().getName()).isEqualTo("wxgate-secrets");
        assertThat(secret.getData()).isNullOrEmpty();
        assertThat(secret.getStringData().values()).allSatisfy(value -> assertThat(value).contains("<").contains(">"));
        List<String> variables = Files.readAllLines(Path.of("config/wxgate.env.example")).stream()
                .filter(line -> line.startsWith("WXGATE_")).map(line -> line.substring(0, line.indexOf('='))).toList();
        assertThat(secret.getStringData().keySet()).containsAll(variables);
    }

    @Test
    void aFieldKubernetesDoesNotKnowIsCaught() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: wxgate}
                spec:
                  selector: {matchLabels: {app: wxgate}}
                  template:
                    metadata: {labels: {app: wxgate}}
                    spec:
                      containers:
                        - name: wxgate
                          image: wxgate
                          readinesProbe: {httpGet: {path: /actuator/health/readiness, port: management}}
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> strictlyTyped(typo))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("readinesProbe");
    }
}
