package io.portcullis.inspection.detect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts for the hold-back tests: every case of the labelled Presidio, gitleaks and
 * detect-secrets files, the detect-secrets sample files, and the naughty strings list.
 */
final class StreamCorpus {

    private static final List<String> JSONL = List.of("/pii/presidio_recognizer_cases.jsonl",
            "/pii/secrets/gitleaks_rule_examples.jsonl", "/pii/secrets/detect_secrets_plugin_cases.jsonl");
    private static final List<String> FILES = List.of("/pii/secrets/detect-secrets-test_data/config.env",
            "/pii/secrets/detect-secrets-test_data/config.ini", "/pii/secrets/detect-secrets-test_data/config.yaml",
            "/pii/secrets/detect-secrets-test_data/each_secret.py.txt",
            "/pii/secrets/detect-secrets-test_data/private_key.txt");

    private static final List<String> TEXTS = load();

    private StreamCorpus() {
    }

    static List<String> texts() {
        return TEXTS;
    }

    private static List<String> load() {
        List<String> texts = new ArrayList<>();
        for (String resource : JSONL) {
            for (String line : read(resource).split("\n")) {
                if (!line.isBlank()) {
                    texts.add(new JsonObject(line).getString("text"));
                }
            }
        }
        for (String resource : FILES) {
            texts.add(read(resource));
        }
        for (Object naughty : new JsonArray(read("/pii/unicode/blns.json"))) {
            texts.add((String) naughty);
        }
        return List.copyOf(texts);
    }

    static String read(String resource) {
        try (InputStream in = StreamCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Test resource " + resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
