package io.portcullis.deployment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Kubernetes manifests into the fabric8 model classes and rejects any field that the
 * Kubernetes API types do not declare.
 *
 * <p>The fabric8 classes collect unknown fields in an {@code additionalProperties} map through
 * a Jackson any-setter, so a plain mapper accepts a misspelt {@code livenessProbes} without a
 * word. This mapper removes the any-setter from every bean deserializer and fails on unknown
 * properties, so that the misspelt field fails the parse with its path.
 */
final class StrictKubernetesYaml {

    private final ObjectMapper mapper;

    StrictKubernetesYaml() {
        SimpleModule strict = new SimpleModule("strict-kubernetes");
        strict.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                    BeanDeserializerBuilder builder) {
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        this.mapper = YAMLMapper.builder(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .addModule(strict)
                .build();
    }

    /** Splits a multi-document YAML stream into one tree per document, skipping empty documents. */
    List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = mapper.readerFor(JsonNode.class).readValues(yaml)) {
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    /**
     * Converts one object into its fabric8 class, chosen by {@code apiVersion} and {@code kind}.
     *
     * @throws IOException when a field is unknown or has the wrong type
     * @throws IllegalArgumentException when fabric8 has no class for the kind, such as a custom resource
     */
    HasMetadata toTyped(JsonNode object) throws IOException {
        KubernetesResource resource = mapper.treeToValue(object, KubernetesResource.class);
        if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata typed)) {
            throw new IllegalArgumentException("No Kubernetes API type for apiVersion " + object.path("apiVersion")
                    + " and kind " + object.path("kind") + "; validate custom resources separately");
        }
        return typed;
    }

    /** Converts a tree into {@code type} with the same strict rules, for types outside the fabric8 model. */
    <T> T convert(JsonNode node, Class<T> type) throws IOException {
        return mapper.treeToValue(node, type);
    }
}
