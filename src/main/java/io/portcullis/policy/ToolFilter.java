package io.portcullis.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds and removes the tools of a Chat Completions body that a policy does not allow. It covers
 * the {@code tools} array and the legacy {@code functions} array, and keeps the fields that refer
 * to tools ({@code tool_choice}, {@code parallel_tool_calls}, {@code function_call}) consistent
 * with what remains, because OpenAI rejects a {@code tool_choice} without tools or naming an
 * absent tool. Only function tools have names that a policy can allow, so every other tool type
 * is outside any allowed list.
 */
final class ToolFilter {

    private static final String TOOLS = "tools";
    private static final String TOOL_CHOICE = "tool_choice";
    private static final String FUNCTIONS = "functions";
    private static final String FUNCTION_CALL = "function_call";

    private ToolFilter() {
    }

    /** Names of the offered tools outside the allowed names, with {@code <type> tool} for other tool types. */
    static List<String> disallowed(JsonObject body, Set<String> allowed) {
        List<String> outside = new ArrayList<>();
        for (Object tool : array(body, TOOLS)) {
            String name = functionToolName(tool);
            if (name == null) {
                outside.add(typeOf(tool) + " tool");
            } else if (!allowed.contains(name)) {
                outside.add(name);
            }
        }
        for (Object function : array(body, FUNCTIONS)) {
            String name = legacyFunctionName(function);
            if (name == null || !allowed.contains(name)) {
                outside.add(name == null ? "unnamed function" : name);
            }
        }
        return outside;
    }

    /** Removes every offered tool outside the allowed names, and the references to removed tools. */
    static void retain(JsonObject body, Set<String> allowed) {
        if (body.getValue(TOOLS) instanceof JsonArray) {
            retainTools(body, allowed);
        }
        if (body.getValue(FUNCTIONS) instanceof JsonArray) {
            retainFunctions(body, allowed);
        }
    }

    private static void retainTools(JsonObject body, Set<String> allowed) {
        JsonArray kept = new JsonArray();
        Set<String> keptNames = new HashSet<>();
        for (Object tool : array(body, TOOLS)) {
            String name = functionToolName(tool);
            if (name != null && allowed.contains(name)) {
                kept.add(tool);
                keptNames.add(name);
            }
        }
        if (kept.isEmpty()) {
            body.remove(TOOLS);
            body.remove(TOOL_CHOICE);
            body.remove("parallel_tool_calls");
            return;
        }
        body.put(TOOLS, kept);
        if (body.getValue(TOOL_CHOICE) instanceof JsonObject choice && !retainChoice(choice, keptNames)) {
            body.remove(TOOL_CHOICE);
        }
    }

    /**
     * Narrows an object {@code tool_choice} to the kept tools.
     *
     * @return false when it names no kept tool and has to go
     */
    private static boolean retainChoice(JsonObject choice, Set<String> keptNames) {
        Object type = choice.getValue("type");
        if ("function".equals(type)) {
            return choice.getValue("function") instanceof JsonObject function
                    && keptNames.contains(function.getValue("name"));
        }
        if ("allowed_tools".equals(type) && choice.getValue("allowed_tools") instanceof JsonObject allowedTools) {
            JsonArray narrowed = new JsonArray();
            for (Object tool : array(allowedTools, TOOLS)) {
                if (keptNames.contains(functionToolName(tool))) {
                    narrowed.add(tool);
                }
            }
            allowedTools.put(TOOLS, narrowed);
            return !narrowed.isEmpty();
        }
        // Any other type names a tool that is not a function tool, and those were all removed.
        return false;
    }

    private static void retainFunctions(JsonObject body, Set<String> allowed) {
        JsonArray kept = new JsonArray();
        Set<String> keptNames = new HashSet<>();
        for (Object function : array(body, FUNCTIONS)) {
            String name = legacyFunctionName(function);
            if (name != null && allowed.contains(name)) {
                kept.add(function);
                keptNames.add(name);
            }
        }
        if (kept.isEmpty()) {
            body.remove(FUNCTIONS);
            body.remove(FUNCTION_CALL);
            return;
        }
        body.put(FUNCTIONS, kept);
        if (body.getValue(FUNCTION_CALL) instanceof JsonObject call && !keptNames.contains(call.getValue("name"))) {
            body.remove(FUNCTION_CALL);
        }
    }

    /** The name of a function tool ({@code {"type": "function", "function": {"name": ...}}}), else null. */
    private static String functionToolName(Object tool) {
        if (tool instanceof JsonObject object
                && (object.getValue("type") == null || "function".equals(object.getValue("type")))
                && object.getValue("function") instanceof JsonObject function
                && function.getValue("name") instanceof String name) {
            return name;
        }
        return null;
    }

    private static String legacyFunctionName(Object function) {
        if (function instanceof JsonObject object && object.getValue("name") instanceof String name) {
            return name;
        }
        return null;
    }

    private static String typeOf(Object tool) {
        if (tool instanceof JsonObject object && object.getValue("type") instanceof String type) {
            return type;
        }
        return "untyped";
    }

    private static JsonArray array(JsonObject object, String field) {
        return object.getValue(field) instanceof JsonArray array ? array : new JsonArray();
    }
}
