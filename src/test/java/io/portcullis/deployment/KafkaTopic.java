package io.portcullis.deployment;

import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.Map;

/**
 * Strimzi's {@code KafkaTopic} custom resource, {@code kafka.strimzi.io/v1}, which the fabric8
 * model does not contain. {@link Spec} declares the four spec fields that Strimzi's KafkaTopic
 * has (topicName, partitions, replicas, config), so that a misspelt field fails the strict read as
 * it does for the built-in kinds.
 */
record KafkaTopic(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    static final String API_VERSION = "kafka.strimzi.io/v1";
    /** Label that names the Strimzi {@code Kafka} resource whose Topic Operator manages the topic. */
    static final String CLUSTER_LABEL = "strimzi.io/cluster";

    record Spec(String topicName, Integer partitions, Integer replicas, Map<String, Object> config) {
    }

    /**
     * Checks what the Topic Operator needs.
     *
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    void check() {
        if (!"KafkaTopic".equals(kind)) {
            throw new IllegalArgumentException("kind " + kind + " of " + API_VERSION + " is not checked; only KafkaTopic is");
        }
        if (metadata == null || metadata.getName() == null) {
            throw new IllegalArgumentException("KafkaTopic has no metadata.name");
        }
        if (metadata.getLabels() == null || !metadata.getLabels().containsKey(CLUSTER_LABEL)) {
            throw new IllegalArgumentException("KafkaTopic " + metadata.getName() + " has no label " + CLUSTER_LABEL
                    + ", so no Topic Operator manages it");
        }
        if (spec == null) {
            throw new IllegalArgumentException("KafkaTopic " + metadata.getName() + " has no spec");
        }
        if (spec.partitions() != null && spec.partitions() < 1) {
            throw new IllegalArgumentException("KafkaTopic " + metadata.getName() + " has spec.partitions "
                    + spec.partitions() + "; it must be 1 or more");
        }
        if (spec.replicas() != null && spec.replicas() < 1) {
            throw new IllegalArgumentException("KafkaTopic " + metadata.getName() + " has spec.replicas "
                    + spec.replicas() + "; it must be 1 or more");
        }
    }
}
