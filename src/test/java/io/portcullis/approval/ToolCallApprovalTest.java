package io.portcullis.approval;

import io.portcullis.testsupport.ApprovalStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A streamed answer with three tool calls, checked by the real tool-call policy for alice
 * (engineers): read_file is a read and passes, write_file is a write and waits for approval,
 * and run_shell with {@code rm -rf} is destructive and is removed.
 */
@QuarkusTest
@TestProfile(RequestApprovalTest.Profile.class)
class ToolCallApprovalTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private ApprovalClient client;
    private Instant start;

    @BeforeEach
    void setUp() {
        client = new ApprovalClient("http://127.0.0.1:" + port);
        client.warmUp(Tokens.alice());
        start = Instant.now();
    }

    @Test
    void heldToolCallIsReleasedOnApproval() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = client.chat(Tokens.alice(), agentRequest(), Map.of());
        JsonObject pending = client.awaitPending(RequestApprovalTest.carol(), "alice", start);
        assertThat(pending.getString("kind")).isEqualTo("tool_call");
        JsonObject tool = pending.getJsonObject("context").getJsonObject("tool");
        assertThat(tool.getString("name")).isEqualTo("write_file");
        assertThat(tool.getJsonObject("arguments").getString("path")).isEqualTo("notes.txt");
        assertThat(pending.getString("reason")).isEqualTo("tool write_file: write call (the tool is marked as a write)");
        ApprovalClient.sleep(1200);
        assertThat(answer).isNotDone();

        client.vote(RequestApprovalTest.carol(), pending.getString("id"), "approve", "notes are fine");

        HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        Assembled assembled = assemble(response.body());
        assertThat(assembled.calls).containsExactly(
                "read_file {\"path\": \"README.md\"}",
                "write_file {\"path\": \"notes.txt\", \"content\": \"release notes\"}");
        assertThat(assembled.content).startsWith("[Portcullis] The tool call run_shell was removed: tool run_shell:"
                + " destructive calls are not allowed for this caller (recursive delete)");
        assertThat(assembled.finishReason).isEqualTo("tool_calls");
        assertThat(response.body()).contains(": waiting for a check of the answer");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void deniedToolCallIsRemovedWithReason() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = client.chat(Tokens.alice(), agentRequest(), Map.of());
        JsonObject pending = client.awaitPending(RequestApprovalTest.carol(), "alice", start);

        client.vote(RequestApprovalTest.carol(), pending.getString("id"), "deny", "no writes today");

        Assembled assembled = assemble(answer.get(20, TimeUnit.SECONDS).body());
        assertThat(assembled.calls).containsExactly("read_file {\"path\": \"README.md\"}");
        assertThat(assembled.content).contains("The tool call write_file was removed: an approver denied it:"
                + " no writes today");
        assertThat(assembled.content).contains("The tool call run_shell was removed");
        assertThat(assembled.finishReason).isEqualTo("tool_calls");
    }

    @Test
    void nonStreamedToolCallsAreChecked() throws Exception {
        JsonObject request = agentRequest().put("stream", false);
        CompletableFuture<HttpResponse<String>> answer = client.chat(Tokens.alice(), request, Map.of());
        JsonObject pending = client.awaitPending(RequestApprovalTest.carol(), "alice", start);
        assertThat(pending.getJsonObject("context").getJsonObject("tool").getString("name")).isEqualTo("write_file");

        client.vote(RequestApprovalTest.carol(), pending.getString("id"), "approve", null);

        HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject choice = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0);
        JsonArray calls = choice.getJsonObject("message").getJsonArray("tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.getJsonObject(0).getJsonObject("function").getString("name")).isEqualTo("read_file");
        assertThat(calls.getJsonObject(1).getJsonObject("function").getString("name")).isEqualTo("write_file");
        assertThat(choice.getJsonObject("message").getString("content"))
                .startsWith("[Portcullis] The tool call run_shell was removed");
        assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    }

    static JsonObject agentRequest() {
        JsonArray tools = new JsonArray();
        for (String name : List.of("read_file", "write_file", "run_shell")) {
            tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)
                    .put("parameters", new JsonObject().put("type", "object"))));
        }
        return new JsonObject()
                .put("model", ApprovalClient.LOCAL_MODEL)
                .put("stream", true)
                .put("tools", tools)
                .put("metadata", new JsonObject().put("sim_recording", "portcullis_agent-three-tool-calls")
                        .put("marker", UUID.randomUUID().toString()))
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
                        .put("content", "Read the README, write the notes and clean the build.")));
    }

    /** The answer as an SDK assembles it: calls by index as "name arguments", the content, the finish reason. */
    private record Assembled(List<String> calls, String content, String finishReason) {
    }

    private static Assembled assemble(String body) {
        TreeMap<Integer, StringBuilder[]> calls = new TreeMap<>();
        StringBuilder content = new StringBuilder();
        String finish = null;
        for (String line : body.split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonObject choice = new JsonObject(line.substring(6)).getJsonArray("choices").getJsonObject(0);
            JsonObject delta = choice.getJsonObject("delta");
            if (delta.getString("content") != null) {
                content.append(delta.getString("content"));
            }
            JsonArray deltas = delta.getJsonArray("tool_calls");
            for (int i = 0; deltas != null && i < deltas.size(); i++) {
                JsonObject call = deltas.getJsonObject(i);
                StringBuilder[] parts = calls.computeIfAbsent(call.getInteger("index"),
                        key -> new StringBuilder[] {new StringBuilder(), new StringBuilder()});
                JsonObject function = call.getJsonObject("function");
                if (function.getString("name") != null) {
                    parts[0].append(function.getString("name"));
                }
                parts[1].append(function.getString("arguments", ""));
            }
            if (choice.getString("finish_reason") != null) {
                finish = choice.getString("finish_reason");
            }
        }
        List<String> assembled = new ArrayList<>();
        calls.forEach((index, parts) -> assembled.add(parts[0] + " " + parts[1]));
        assertThat(calls.keySet()).as("tool call indexes").containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, calls.size()).boxed().toList());
        return new Assembled(assembled, content.toString(), finish);
    }
}
