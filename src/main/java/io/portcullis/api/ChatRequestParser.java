package io.portcullis.api;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a Chat Completions body. It checks the fields the gateway relies on
 * and the ones whose wrong type an upstream would reject anyway, so that the caller gets
 * a 400 naming the field instead of an upstream error. Unknown fields pass through.
 */
public final class ChatRequestParser {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    /** Largest {@code n} that OpenAI accepts. */
    private static final int MAX_CHOICES = 128;

    /**
     * Rejects comments and duplicate member names, which lenient parsers accept and resolve
     * differently, so that the request the gateway checks is the request the upstream reads.
     */
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_YAML_COMMENTS,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .build();

    private ChatRequestParser() {
    }

    public static ChatRequest parse(Buffer body) {
        JsonObject json = decode(body);
        String model = requireString(json, "model");
        JsonArray messages = messages(json);
        boolean stream = optionalBoolean(json, "stream");
        if (json.getValue("stream_options") != null) {
            if (!(json.getValue("stream_options") instanceof JsonObject)) {
                throw invalid("stream_options must be an object.", "stream_options");
            }
            if (!stream) {
                throw invalid("stream_options is only allowed when stream is true.", "stream_options");
            }
        }
        int choices = optionalInt(json, "n", 1, MAX_CHOICES, 1);
        Integer maxTokens = maxTokens(json);
        List<String> toolNames = toolNames(json);
        checkRange(json, "temperature", 0, 2);
        checkRange(json, "top_p", 0, 1);
        return new ChatRequest(body, json, model, stream, choices, maxTokens, toolNames, messages.size());
    }

    private static JsonObject decode(Buffer body) {
        Object value;
        try {
            value = STRICT_JSON.readValue(strictUtf8(body), Object.class);
        } catch (CharacterCodingException | JacksonException e) {
            throw new GatewayException(ErrorCode.INVALID_JSON);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new GatewayException(ErrorCode.INVALID_JSON,
                    "The request body must be a JSON object with 'model' and 'messages'.");
        }
        @SuppressWarnings("unchecked")
        JsonObject json = new JsonObject((Map<String, Object>) map);
        return json;
    }

    /**
     * Decodes the body as UTF-8 and rejects anything else: malformed bytes, a byte-order
     * mark, UTF-16. The upstream receives the same bytes, so the gateway must read them the
     * one way every JSON parser reads them (RFC 8259 section 8.1).
     */
    private static String strictUtf8(Buffer body) throws CharacterCodingException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        if (text.startsWith("\uFEFF")) {
            throw new CharacterCodingException();
        }
        return text;
    }

    private static JsonArray messages(JsonObject json) {
        if (!(json.getValue("messages") instanceof JsonArray messages)) {
            throw invalid(json.containsKey("messages") ? "'messages' must be an array."
                    : "Missing required parameter: 'messages'.", "messages");
        }
        if (messages.isEmpty()) {
            throw invalid("'messages' must contain at least one message.", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(messages.getValue(i) instanceof JsonObject message)) {
                throw invalid(param + " must be an object.", param);
            }
            if (!(message.getValue("role") instanceof String role) || !ROLES.contains(role)) {
                throw invalid(param + ".role must be one of " + String.join(", ", ROLES.stream().sorted().toList())
                        + ".", param + ".role");
            }
            Object content = message.getValue("content");
            if (content != null && !(content instanceof String) && !(content instanceof JsonArray)) {
                throw invalid(param + ".content must be a string or an array of content parts.",
                        param + ".content");
            }
        }
        return messages;
    }

    private static Integer maxTokens(JsonObject json) {
        Integer completionTokens = json.getValue("max_completion_tokens") == null ? null
                : optionalInt(json, "max_completion_tokens", 1, Integer.MAX_VALUE, 0);
        Integer legacy = json.getValue("max_tokens") == null ? null
                : optionalInt(json, "max_tokens", 1, Integer.MAX_VALUE, 0);
        return completionTokens != null ? completionTokens : legacy;
    }

    private static List<String> toolNames(JsonObject json) {
        Object tools = json.getValue("tools");
        if (tools == null) {
            return List.of();
        }
        if (!(tools instanceof JsonArray array)) {
            throw invalid("'tools' must be an array.", "tools");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String param = "tools[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject tool)) {
                throw invalid(param + " must be an object.", param);
            }
            if (tool.getValue("function") instanceof JsonObject function) {
                if (!(function.getValue("name") instanceof String name) || name.isEmpty()) {
                    throw invalid(param + ".function.name must be a non-empty string.", param + ".function.name");
                }
                names.add(name);
            } else if ("function".equals(tool.getValue("type"))) {
                throw invalid(param + ".function is required for a function tool.", param + ".function");
            }
        }
        return List.copyOf(names);
    }

    private static String requireString(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw invalid("Missing required parameter: '" + field + "'.", field);
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw invalid("'" + field + "' must be a non-empty string.", field);
        }
        return s;
    }

    private static boolean optionalBoolean(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid("'" + field + "' must be a boolean.", field);
        }
        return b;
    }

    private static int optionalInt(JsonObject json, String field, int min, int max, int fallback) {
        Object value = json.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw invalid("'" + field + "' must be an integer, got " + typeName(value) + ".", field);
        }
        if (n.doubleValue() < min || n.doubleValue() > max) {
            throw invalid("'" + field + "' must be from " + min + " to " + max + ", got " + value + ".", field);
        }
        return n.intValue();
    }

    private static void checkRange(JsonObject json, String field, double min, double max) {
        Object value = json.getValue(field);
        if (value == null) {
            return;
        }
        if (!(value instanceof Number n)) {
            throw invalid("'" + field + "' must be a number, got " + typeName(value) + ".", field);
        }
        if (n.doubleValue() < min || n.doubleValue() > max) {
            throw invalid("'" + field + "' must be from " + min + " to " + max + ", got " + value + ".", field);
        }
    }

    /** Names a JSON value's type for an error message, without echoing the value. */
    private static String typeName(Object value) {
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a fraction";
        }
        if (value instanceof Map<?, ?> || value instanceof JsonObject) {
            return "an object";
        }
        return "an array";
    }

    private static GatewayException invalid(String message, String param) {
        return new GatewayException(ErrorCode.INVALID_REQUEST, message, param);
    }
}
