package io.portcullis.deployment;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards the native image against JSON mapping by reflection. A native image keeps the fields
 * and constructors of a class for reflection only when the class is registered, for example
 * with {@code @RegisterForReflection}. Jackson and Vert.x map plain Java objects by reflection,
 * so each call that does must be listed in {@link #REVIEWED} with the types it handles and how
 * they are registered. Building JSON with {@code JsonObject} and {@code JsonArray}, as the
 * gateway does, needs no registration.
 */
class NativeReflectionTest {

    private static final Path SOURCES = Path.of("src", "main", "java");

    /** Calls of Jackson and Vert.x that map Java objects to or from JSON by reflection. */
    private static final Pattern REFLECTIVE_CALL = Pattern.compile(
            "\\bJson\\.(encode|encodePrettily|encodeToBuffer)\\(|\\bJson\\.decodeValue\\([^;]*,\\s*\\w+\\.class"
                    + "|\\.mapTo\\(|JsonObject\\.mapFrom\\(|\\.(readValue|convertValue|treeToValue|valueToTree"
                    + "|writeValueAsString|writeValueAsBytes|writeValue)\\(");

    /**
     * Reviewed call sites, by file and the text of the call, with the reason each is safe in a
     * native image.
     */
    private static final Map<String, String> REVIEWED = Map.of(
            "io/portcullis/api/ChatRequestParser.java:STRICT_JSON.readValue(strictUtf8(body), Object.class)",
            "reads into Object, so Jackson builds only maps, lists, strings, numbers and booleans");

    @Test
    void reflectiveJsonCallsAreReviewed() throws IOException {
        List<String> unreviewed = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (Path file : javaFiles()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                Matcher matcher = REFLECTIVE_CALL.matcher(line);
                if (line.startsWith("*") || line.startsWith("//") || !matcher.find()) {
                    continue;
                }
                String relative = SOURCES.relativize(file).toString().replace('\\', '/');
                String site = REVIEWED.keySet().stream()
                        .filter(key -> key.startsWith(relative + ":") && line.contains(key.substring(relative.length() + 1)))
                        .findFirst().orElse(null);
                if (site == null) {
                    unreviewed.add(relative + ":" + (i + 1) + ": " + line);
                } else {
                    found.add(site);
                }
            }
        }
        assertThat(unreviewed)
                .as("calls that map Java objects to JSON by reflection. Register each mapped type for reflection"
                        + " (@RegisterForReflection) and add the call to REVIEWED with the reason")
                .isEmpty();
        assertThat(found).as("reviewed call sites still in the code; remove the ones that are gone")
                .containsExactlyInAnyOrderElementsOf(REVIEWED.keySet());
    }

    @Test
    void patternFindsReflectiveCalls() {
        assertThat(REFLECTIVE_CALL.matcher("return Json.encode(event);").find()).isTrue();
        assertThat(REFLECTIVE_CALL.matcher("Event e = body.mapTo(Event.class);").find()).isTrue();
        assertThat(REFLECTIVE_CALL.matcher("JsonObject json = JsonObject.mapFrom(event);").find()).isTrue();
        assertThat(REFLECTIVE_CALL.matcher("mapper.writeValueAsString(event)").find()).isTrue();
        assertThat(REFLECTIVE_CALL.matcher("Json.decodeValue(body, Event.class)").find()).isTrue();
        assertThat(REFLECTIVE_CALL.matcher("Json.decodeValue(body) instanceof JsonObject").find()).isFalse();
        assertThat(REFLECTIVE_CALL.matcher("new JsonObject().put(\"a\", 1).encode()").find()).isFalse();
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(SOURCES)) {
            return paths.filter(path -> path.toString().endsWith(".java")).sorted().toList();
        }
    }
}
