package io.portcullis.recording;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the recording puts an answer together from stream deltas or a body, at both recording levels. */
class ResponseCaptureTest {

    private static final String[] TOOL_CALL_STREAM = {
        "{\"id\":\"chatcmpl-1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"reasoning_content\":\"Think \"}}]}",
        "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"first.\","
                + "\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\"}}]}}]}",
        "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}},{\"index\":1,\"id\":\"call_b\","
                + "\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}}]}",
        "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
        "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"total_tokens\":42}}",
        "[DONE]",
    };

    @Test
    void streamedToolCallsAreAssembled() {
        ResponseCapture capture = capture(TOOL_CALL_STREAM);
        JsonObject response = capture.toJson(true);
        JsonObject choice = response.getJsonArray("choices").getJsonObject(0);
        JsonArray calls = choice.getJsonArray("tool_calls");

        assertThat(response.getString("upstream_id")).isEqualTo("chatcmpl-1");
        assertThat(response.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(42);
        assertThat(response.getInteger("chunk_count")).isEqualTo(TOOL_CALL_STREAM.length);
        assertThat(choice.getString("reasoning")).isEqualTo("Think first.");
        assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.getJsonObject(0).getString("id")).isEqualTo("call_a");
        assertThat(calls.getJsonObject(0).getString("arguments")).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(calls.getJsonObject(1).getString("name")).isEqualTo("get_time");
    }

    @Test
    void metadataLevelDropsTextAndArguments() {
        JsonObject response = capture(TOOL_CALL_STREAM).toJson(false);
        JsonObject choice = response.getJsonArray("choices").getJsonObject(0);

        assertThat(response.containsKey("chunks")).isFalse();
        assertThat(response.getJsonArray("chunk_offsets_ms")).hasSize(TOOL_CALL_STREAM.length);
        assertThat(choice.containsKey("reasoning")).isFalse();
        assertThat(choice.getInteger("reasoning_chars")).isEqualTo("Think first.".length());
        assertThat(choice.getJsonArray("tool_calls").getJsonObject(0).containsKey("arguments")).isFalse();
        assertThat(choice.getJsonArray("tool_calls").getJsonObject(0).getString("name")).isEqualTo("get_weather");
    }

    @Test
    void bodyWithoutIdRecordsNullUpstreamId() {
        ResponseCapture capture = new ResponseCapture(System.nanoTime());
        capture.addBody("{\"id\":null,\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi\",\"refusal\":\"No\"},"
                + "\"finish_reason\":\"stop\"}]}");
        JsonObject response = capture.toJson(true);
        JsonObject choice = response.getJsonArray("choices").getJsonObject(0);

        assertThat(response.getValue("upstream_id")).isNull();
        assertThat(response.getInteger("chunk_count")).isZero();
        assertThat(choice.getString("content")).isEqualTo("Hi");
        assertThat(choice.getString("refusal")).isEqualTo("No");
    }

    private static ResponseCapture capture(String... data) {
        ResponseCapture capture = new ResponseCapture(System.nanoTime());
        for (String item : data) {
            capture.addEvent(item, item.length() + 8);
        }
        return capture;
    }
}
