package io.portcullis.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders the base and every overlay of kubernetes/ with kustomize, parses each object with the
 * fabric8 Kubernetes model without tolerating unknown fields, and checks what every gateway pod
 * needs: probes, resources and a locked-down security context on each long-running container,
 * and selectors and references that match the objects they point at.
 */
class KubernetesManifestsTest {

    private static final StrictKubernetesYaml YAML = new StrictKubernetesYaml();
    private static final Set<String> REQUIRED_KINDS = Set.of("ConfigMap", "Deployment", "HorizontalPodAutoscaler",
            "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount");

    static List<Path> kustomizations() throws IOException {
        return Kustomize.kustomizations();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyObjectMatchesApiTypes(Path folder) throws Exception {
        List<String> problems = new ArrayList<>();
        for (JsonNode object : YAML.documents(Kustomize.build(folder))) {
            String name = object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
            try {
                if (KafkaTopic.API_VERSION.equals(object.path("apiVersion").asText())) {
                    YAML.convert(object, KafkaTopic.class).check();
                } else {
                    YAML.toTyped(object);
                }
            } catch (IOException | IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
            }
        }
        assertThat(problems).as("objects of %s that do not match the Kubernetes API types", folder).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void renderHasEveryRequiredKind(Path folder) throws Exception {
        Set<String> kinds = new TreeSet<>();
        for (HasMetadata object : typedObjects(folder)) {
            kinds.add(object.getKind());
        }
        assertThat(kinds).as("kinds rendered from %s", folder).containsAll(REQUIRED_KINDS);
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void containersHaveProbesResourcesAndSecurity(Path folder) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Deployment deployment : ofKind(typedObjects(folder), Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            for (Container container : longRunningContainers(pod)) {
                String where = "Deployment/" + deployment.getMetadata().getName() + " container " + container.getName();
                checkProbes(where, container, problems);
                checkResources(where, container, problems);
                checkSecurity(where, container, pod.getSecurityContext(), problems);
            }
        }
        assertThat(problems).as("missing essentials in %s", folder).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void opaSidecarServesPolicyOnLoopbackOnly(Path folder) throws Exception {
        for (Deployment deployment : ofKind(typedObjects(folder), Deployment.class)) {
            Container opa = deployment.getSpec().getTemplate().getSpec().getInitContainers().stream()
                    .filter(container -> container.getName().equals("opa"))
                    .findFirst().orElseThrow(() -> new AssertionError("no opa sidecar in " + folder));
            assertThat(opa.getRestartPolicy()).as("opa runs as a native sidecar").isEqualTo("Always");
            assertThat(opa.getArgs()).as("opa arguments").contains("--addr=127.0.0.1:8181");
            assertThat(opa.getPorts()).as("opa ports")
                    .allSatisfy(port -> assertThat(port.getContainerPort()).isNotEqualTo(8181));
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void selectorsAndReferencesMatchTheDeployment(Path folder) throws Exception {
        List<HasMetadata> objects = typedObjects(folder);
        Deployment deployment = single(ofKind(objects, Deployment.class));
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Set<String> configMaps = names(objects, "ConfigMap");

        for (Service service : ofKind(objects, Service.class)) {
            assertThat(podLabels).as("pod labels selected by Service/%s", service.getMetadata().getName())
                    .containsAllEntriesOf(service.getSpec().getSelector());
        }
        for (PodDisruptionBudget budget : ofKind(objects, PodDisruptionBudget.class)) {
            assertSelects(budget.getSpec().getSelector(), podLabels, budget);
        }
        for (NetworkPolicy policy : ofKind(objects, NetworkPolicy.class)) {
            assertSelects(policy.getSpec().getPodSelector(), podLabels, policy);
        }
        for (HorizontalPodAutoscaler autoscaler : ofKind(objects, HorizontalPodAutoscaler.class)) {
            assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
            assertThat(autoscaler.getSpec().getScaleTargetRef().getName())
                    .isEqualTo(deployment.getMetadata().getName());
            assertThat(autoscaler.getSpec().getMinReplicas()).as("minimum replicas").isGreaterThanOrEqualTo(1);
        }
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        for (Volume volume : pod.getVolumes()) {
            if (volume.getConfigMap() != null) {
                assertThat(configMaps).as("ConfigMap of volume %s", volume.getName())
                        .contains(volume.getConfigMap().getName());
            }
        }
        for (Container container : pod.getContainers()) {
            container.getEnvFrom().stream()
                    .filter(source -> source.getConfigMapRef() != null)
                    .forEach(source -> assertThat(configMaps).as("ConfigMap in envFrom of %s", container.getName())
                            .contains(source.getConfigMapRef().getName()));
        }
    }

    @Test
    void productionHasKafkaTopic() throws Exception {
        String yaml = Kustomize.build(Kustomize.MANIFESTS.resolve("overlays").resolve("production"));
        List<KafkaTopic> topics = new ArrayList<>();
        for (JsonNode object : YAML.documents(yaml)) {
            if ("KafkaTopic".equals(object.path("kind").asText())) {
                topics.add(YAML.convert(object, KafkaTopic.class));
            }
        }
        assertThat(topics).hasSize(1);
        assertThat(topics.getFirst().metadata().getLabels()).containsKey(KafkaTopic.CLUSTER_LABEL);
    }

    @Test
    void strictParserRejectsMisspeltField() throws Exception {
        JsonNode deployment = firstOfKind(Kustomize.MANIFESTS.resolve("base"), "Deployment");
        ObjectNode gateway = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        gateway.set("livenessProbes", gateway.get("livenessProbe"));
        assertThatThrownBy(() -> YAML.toTyped(deployment))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("livenessProbes");
    }

    @Test
    void strictParserRejectsMisspeltNestedField() throws Exception {
        JsonNode policy = firstOfKind(Kustomize.MANIFESTS.resolve("base"), "NetworkPolicy");
        ((ObjectNode) policy.at("/spec/egress/0")).set("too", policy.at("/spec/egress/0/to"));
        assertThatThrownBy(() -> YAML.toTyped(policy))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("too");
    }

    @Test
    void strictParserRejectsUnknownKind() throws Exception {
        JsonNode object = YAML.documents("apiVersion: example.com/v1\nkind: Gateway\nmetadata:\n  name: x\n").getFirst();
        assertThatThrownBy(() -> YAML.toTyped(object))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Gateway");
    }

    @Test
    void kafkaTopicCheckRejectsMisspeltField() throws Exception {
        JsonNode topic = YAML.documents("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata:
                  name: t
                  labels:
                    strimzi.io/cluster: c
                spec:
                  partition: 3
                """).getFirst();
        assertThatThrownBy(() -> YAML.convert(topic, KafkaTopic.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("partition");
    }

    @Test
    void kafkaTopicCheckRequiresClusterLabel() throws Exception {
        JsonNode topic = YAML.documents("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata:
                  name: t
                spec:
                  partitions: 3
                """).getFirst();
        KafkaTopic parsed = YAML.convert(topic, KafkaTopic.class);
        assertThatThrownBy(parsed::check)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KafkaTopic.CLUSTER_LABEL);
    }

    private static void checkProbes(String where, Container container, List<String> problems) {
        if (container.getLivenessProbe() == null) {
            problems.add(where + " has no livenessProbe");
        }
        if (container.getReadinessProbe() == null) {
            problems.add(where + " has no readinessProbe");
        }
    }

    private static void checkResources(String where, Container container, List<String> problems) {
        Map<String, Quantity> requests = container.getResources() == null ? null
                : container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources() == null ? null : container.getResources().getLimits();
        if (requests == null || !requests.containsKey("cpu") || !requests.containsKey("memory")) {
            problems.add(where + " has no cpu and memory requests");
        }
        if (limits == null || !limits.containsKey("memory")) {
            problems.add(where + " has no memory limit");
        }
    }

    private static void checkSecurity(String where, Container container, PodSecurityContext pod,
            List<String> problems) {
        SecurityContext security = container.getSecurityContext();
        if (security == null) {
            problems.add(where + " has no securityContext");
            return;
        }
        boolean podNonRoot = pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot());
        if (!Boolean.TRUE.equals(security.getRunAsNonRoot()) && !podNonRoot) {
            problems.add(where + " lacks runAsNonRoot: true in its own or the pod's securityContext");
        }
        if (!Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
            problems.add(where + " lacks readOnlyRootFilesystem: true");
        }
        if (!Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
            problems.add(where + " lacks allowPrivilegeEscalation: false");
        }
        if (security.getCapabilities() == null || !security.getCapabilities().getDrop().contains("ALL")) {
            problems.add(where + " does not drop ALL capabilities");
        }
    }

    /** The app containers and the native sidecars (init containers with restartPolicy Always). */
    private static List<Container> longRunningContainers(PodSpec pod) {
        List<Container> containers = new ArrayList<>(pod.getContainers());
        pod.getInitContainers().stream()
                .filter(container -> "Always".equals(container.getRestartPolicy()))
                .forEach(containers::add);
        return containers;
    }

    private static void assertSelects(LabelSelector selector, Map<String, String> podLabels, HasMetadata owner) {
        String name = owner.getKind() + "/" + owner.getMetadata().getName();
        assertThat(selector.getMatchExpressions()).as("match expressions of %s", name).isEmpty();
        assertThat(selector.getMatchLabels()).as("match labels of %s", name).isNotEmpty();
        assertThat(podLabels).as("pod labels selected by %s", name).containsAllEntriesOf(selector.getMatchLabels());
    }

    private static List<HasMetadata> typedObjects(Path folder) throws Exception {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode object : YAML.documents(Kustomize.build(folder))) {
            if (!KafkaTopic.API_VERSION.equals(object.path("apiVersion").asText())) {
                objects.add(YAML.toTyped(object));
            }
        }
        return objects;
    }

    private static JsonNode firstOfKind(Path folder, String kind) throws Exception {
        for (JsonNode object : YAML.documents(Kustomize.build(folder))) {
            if (kind.equals(object.path("kind").asText())) {
                return object;
            }
        }
        throw new AssertionError("no " + kind + " in " + folder);
    }

    private static <T> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> T single(List<T> objects) {
        assertThat(objects).hasSize(1);
        return objects.getFirst();
    }

    private static Set<String> names(List<HasMetadata> objects, String kind) {
        Set<String> names = new TreeSet<>();
        objects.stream().filter(object -> object.getKind().equals(kind))
                .map(HasMetadata::getMetadata).map(ObjectMeta::getName).forEach(names::add);
        return names;
    }
}
