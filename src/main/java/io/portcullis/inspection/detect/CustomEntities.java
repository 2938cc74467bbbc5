package io.portcullis.inspection.detect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds the detectors of custom entities from configuration or from an OPA data document, and
 * rejects invalid entries with an error that names the entry and the fix.
 *
 * <p>The OPA document has this shape; every member is optional except {@code type},
 * {@code regex} and {@code words}:
 *
 * <pre>{@code
 * {"patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}", "confidence": 0.9}},
 *  "dictionaries": {"code_names": {"type": "PROJECT_CODE_NAME", "words": ["Bluebird"], "case_sensitive": false}}}
 * }</pre>
 */
public final class CustomEntities {

    /** Entity type names, as the policy reads them in the findings. */
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    static final double DEFAULT_CONFIDENCE = 0.9;

    private CustomEntities() {
    }

    /**
     * Creates the detectors of the configuration.
     *
     * @throws IllegalArgumentException naming the full key of the first invalid entry
     */
    public static List<Detector> fromConfig(CustomEntityConfig config) {
        List<Detector> detectors = new ArrayList<>();
        new TreeMap<>(config.patterns()).forEach((name, entry) -> detectors.add(pattern(
                "portcullis.inspection.custom.patterns." + name, entry.type(), entry.regex(), entry.confidence())));
        new TreeMap<>(config.dictionaries()).forEach((name, entry) -> detectors.add(dictionary(
                "portcullis.inspection.custom.dictionaries." + name, entry.type(), entry.words(), entry.confidence(),
                entry.caseSensitive())));
        return detectors;
    }

    /**
     * Creates the detectors of an OPA data document.
     *
     * @param source names the document in error messages, such as {@code data.portcullis.config.custom_entities}
     * @throws IllegalArgumentException naming the first invalid entry, such as
     *                                  {@code data.portcullis.config.custom_entities.patterns.customer_id}
     */
    public static List<Detector> fromJson(String source, JsonObject document) {
        List<Detector> detectors = new ArrayList<>();
        for (Map.Entry<String, JsonObject> entry : members(source, document, "patterns").entrySet()) {
            String name = source + ".patterns." + entry.getKey();
            JsonObject pattern = entry.getValue();
            detectors.add(pattern(name, string(name, pattern, "type"), string(name, pattern, "regex"),
                    confidence(name, pattern)));
        }
        for (Map.Entry<String, JsonObject> entry : members(source, document, "dictionaries").entrySet()) {
            String name = source + ".dictionaries." + entry.getKey();
            JsonObject dictionary = entry.getValue();
            Object caseSensitive = dictionary.getValue("case_sensitive", false);
            if (!(caseSensitive instanceof Boolean)) {
                throw invalid(name + ".case_sensitive", caseSensitive, "expected true or false");
            }
            detectors.add(dictionary(name, string(name, dictionary, "type"), words(name, dictionary),
                    confidence(name, dictionary), (Boolean) caseSensitive));
        }
        return detectors;
    }

    static RegexEntityDetector pattern(String name, String type, String regex, double confidence) {
        checkType(name, type);
        checkConfidence(name, confidence);
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("Invalid " + name + ".regex: " + e.getDescription() + " near index "
                    + e.getIndex() + ". Fix the expression in java.util.regex.Pattern syntax, such as CUST-[0-9]{6}.", e);
        }
        if (pattern.matcher("").matches()) {
            throw new IllegalArgumentException("Invalid " + name + ".regex: it matches the empty string, so it would"
                    + " match everywhere. Require at least one character, for example with + instead of *.");
        }
        return new RegexEntityDetector(type, pattern, confidence);
    }

    static RegexEntityDetector dictionary(String name, String type, List<String> words, double confidence,
            boolean caseSensitive) {
        checkType(name, type);
        checkConfidence(name, confidence);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("Invalid " + name + ".words: the list is empty. List at least one word.");
        }
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i) == null || words.get(i).isBlank()) {
                throw new IllegalArgumentException("Invalid " + name + ".words[" + i + "]: the word is blank."
                        + " Remove it or give a word.");
            }
        }
        return RegexEntityDetector.dictionary(type, words, caseSensitive, confidence);
    }

    private static void checkType(String name, String type) {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw invalid(name + ".type", type, "expected upper-case letters, digits and underscores, starting with a"
                    + " letter, such as CUSTOMER_ID");
        }
    }

    private static void checkConfidence(String name, double confidence) {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw invalid(name + ".confidence", confidence, "expected a number from 0 to 1, such as 0.9");
        }
    }

    private static Map<String, JsonObject> members(String source, JsonObject document, String key) {
        Object value = document.getValue(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject object)) {
            throw invalid(source + "." + key, "a " + value.getClass().getSimpleName(),
                    "expected an object of named entries");
        }
        Map<String, JsonObject> members = new TreeMap<>();
        for (String name : object.fieldNames()) {
            if (!(object.getValue(name) instanceof JsonObject entry)) {
                throw invalid(source + "." + key + "." + name, "not an object", "expected an object with a type");
            }
            members.put(name, entry);
        }
        return members;
    }

    private static String string(String name, JsonObject entry, String key) {
        Object value = entry.getValue(key);
        if (!(value instanceof String string)) {
            throw invalid(name + "." + key, value == null ? "missing" : value, "expected a string");
        }
        return string;
    }

    private static double confidence(String name, JsonObject entry) {
        Object value = entry.getValue("confidence", DEFAULT_CONFIDENCE);
        if (!(value instanceof Number number)) {
            throw invalid(name + ".confidence", value, "expected a number from 0 to 1, such as 0.9");
        }
        return number.doubleValue();
    }

    private static List<String> words(String name, JsonObject entry) {
        Object value = entry.getValue("words");
        if (!(value instanceof JsonArray array)) {
            throw invalid(name + ".words", value == null ? "missing" : value, "expected an array of strings");
        }
        List<String> words = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String word)) {
                throw invalid(name + ".words[" + i + "]", array.getValue(i), "expected a string");
            }
            words.add(word);
        }
        return words;
    }

    private static IllegalArgumentException invalid(String name, Object value, String fix) {
        return new IllegalArgumentException("Invalid " + name + "=" + value + ": " + fix + ".");
    }
}
