package io.portcullis.streaming;

import io.portcullis.inspection.detect.CompositeDetector;
import io.portcullis.masking.AnswerStreamMasker;
import io.portcullis.masking.TextMasker;
import io.portcullis.policy.PolicyDecision.MaskMode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The masking relay over the recorded streams: personal data and secrets are put into content
 * and tool-call argument deltas (often split across two events), comment lines and invalid
 * UTF-8 are mixed in, and the bytes are cut at random offsets, thousands of times. For every
 * choice and text, what the caller receives must equal the masking of the whole text, no
 * entity may be released in clear, and the SSE protocol must stay intact.
 */
class MaskedRelayTest {

    private static final CompositeDetector DETECTOR = CompositeDetector.allDetectors("US", 0.5);
    private static final List<String> ENTITIES = List.of("jane.doe@example.com", "4012 8888 8888 1881",
            "DE89370400440532013000", "078-05-1120", "192.168.10.42", "AKIAIOSFODNN7EXAMPLE",
            "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", "postgres://app:S3cr3t-pw@db.internal:5432/orders");
    private static final Set<String> TYPES = Set.of("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS",
            "AWS_ACCESS_KEY", "API_KEY", "CONNECTION_STRING", "PASSWORD", "PHONE_NUMBER");
    private static final int TRIES_PER_RECORDING = 100;

    static Stream<String> recordings() {
        return Stream.of("openai-chat_agent-run.1.sse", "openai-chat_agent-run.2.sse", "openai-chat_agent-run.3.sse",
                "openai-chat_content-with-logprobs.sse", "openai-chat_gpt41nano_text.jsonl",
                "openai-chat_gpt4o-mini-tool.1.sse", "openai-chat_max-tokens_finish-length.sse",
                "openai-chat_moderation.1.sse", "openai-chat_n3-multi-choice.sse", "openai-chat_parallel-tool-calls.sse",
                "openai-chat_plain-text_usage-free.sse", "openai-chat_refusal-delta.sse",
                "openai-chat_tool-call-strict.sse", "openai-chat_tool-call-whitespace-args.sse",
                "azure-chat_4-tool-calls_async-filter.sse", "azure-chat_model-router_content-filter-results.jsonl",
                "deepseek_tool-call.jsonl", "groq_error-event-midstream.1.sse", "groq_tool-call-one-chunk.jsonl",
                "hf-router-novita.1.sse", "mistral_incremental-tool-call.jsonl", "vllm-style_crusoe.1.sse");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void relayMatchesWholeMasking(String recording) {
        List<byte[]> events = events(read("/sse/" + recording), recording.endsWith(".jsonl"));
        for (long seed = 0; seed < TRIES_PER_RECORDING; seed++) {
            Random random = new Random(seed * 31 + recording.hashCode());
            byte[] upstream = withEntities(events, random);
            checkRelay(upstream, random, recording + " seed " + seed);
        }
    }

    @Test
    void largeSingleEventPassesThrough() {
        byte[] upstream = join(events(read("/masking/anthropic_web-search_43KB-single-chunk.jsonl"), true));
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            checkRelay(upstream, random, "43 KB event, try " + i);
        }
    }

    @Test
    void emailSplitAcrossEventsIsMasked() {
        String upstream = event("Contact jane.") + event("doe@example.com") + event(" now") + "data: [DONE]\n\n";
        String relayed = new String(relay(upstream.getBytes(StandardCharsets.UTF_8), List.of(upstream.length()),
                masker()), StandardCharsets.UTF_8);
        assertThat(texts(relayed).get("0/content")).isEqualTo("Contact [EMAIL_ADDRESS] now");
        assertThat(relayed).doesNotContain("jane").doesNotContain("example.com");
    }

    private static void checkRelay(byte[] upstream, Random random, String label) {
        String input = new String(upstream, StandardCharsets.UTF_8);
        List<Integer> cuts = cuts(upstream.length, random);
        String output = new String(relay(upstream, cuts, masker()), StandardCharsets.UTF_8);

        Map<String, String> sent = texts(input);
        Map<String, String> received = texts(output);
        TextMasker whole = new TextMasker(DETECTOR, TYPES, MaskMode.REDACT, null, false);
        for (Map.Entry<String, String> text : sent.entrySet()) {
            String expected = whole.mask(text.getValue());
            assertThat(received.getOrDefault(text.getKey(), "")).as("%s, text %s", label, text.getKey())
                    .isEqualTo(expected);
            for (String entity : ENTITIES) {
                if (!expected.contains(entity)) {
                    assertThat(received.getOrDefault(text.getKey(), "")).as(label).doesNotContain(entity);
                }
            }
        }
        assertThat(received.keySet()).as(label).isSubsetOf(sent.keySet());
        assertThat(count(output, "data: [DONE]")).as(label).isEqualTo(count(input, "data: [DONE]"));
        if (input.contains("data: [DONE]")) {
            assertThat(output).as(label).endsWith("data: [DONE]\n\n");
        }
        assertThat(protocolMarks(output)).as(label).isEqualTo(protocolMarks(input));
        assertThat(count(output, "\n: ") + (output.startsWith(": ") ? 1 : 0)).as(label)
                .isEqualTo(count(input, "\n: ") + (input.startsWith(": ") ? 1 : 0));
    }

    /** Relays the upstream bytes, cut at the given offsets, the way {@link StreamRelay} does. */
    static byte[] relay(byte[] upstream, List<Integer> cuts, EventRewriter rewriter) {
        SseEventParser parser = new SseEventParser(StreamRelay.MAX_EVENT_BYTES);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        for (int cut : cuts) {
            for (SseEvent event : parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(upstream, start, cut)))) {
                relayEvent(event, rewriter, out);
            }
            start = cut;
        }
        for (SseEvent event : parser.finish()) {
            relayEvent(event, rewriter, out);
        }
        return out.toByteArray();
    }

    private static void relayEvent(SseEvent event, EventRewriter rewriter, ByteArrayOutputStream out) {
        if (event.isCommentOnly()) {
            out.writeBytes(event.raw().getBytes());
            return;
        }
        JsonObject payload = event.isDone() ? null : new JsonObject(event.data());
        if (event.isDone() || payload.containsKey("error")) {
            for (JsonObject held : rewriter.finish()) {
                out.writeBytes(SseEvents.data(held.encode()).getBytes());
            }
            out.writeBytes(event.raw().getBytes());
            return;
        }
        List<JsonObject> rewritten = rewriter.rewrite(payload);
        for (int i = 0; i < rewritten.size(); i++) {
            String data = rewritten.get(i).encode();
            out.writeBytes((i == rewritten.size() - 1 ? SseEvents.withData(event, data) : SseEvents.data(data))
                    .getBytes());
        }
    }

    /**
     * Returns the joined texts of a stream by choice and path, such as {@code 0/content} or
     * {@code 1/tool_calls/0/function/arguments}.
     */
    static Map<String, String> texts(String stream) {
        Map<String, StringBuilder> texts = new TreeMap<>();
        for (JsonObject payload : payloads(stream)) {
            if (payload.getValue("choices") instanceof JsonArray choices) {
                for (int position = 0; position < choices.size(); position++) {
                    JsonObject choice = choices.getJsonObject(position);
                    int index = choice.getInteger("index", position);
                    if (choice.getValue("delta") instanceof JsonObject delta) {
                        collect(delta, index + "", texts);
                    }
                }
            }
        }
        Map<String, String> joined = new TreeMap<>();
        texts.forEach((key, text) -> joined.put(key, text.toString()));
        return joined;
    }

    private static void collect(JsonObject object, String path, Map<String, StringBuilder> texts) {
        for (String name : object.fieldNames()) {
            if (Set.of("role", "type", "id", "name", "index").contains(name)) {
                continue;
            }
            Object value = object.getValue(name);
            if (value instanceof String text) {
                texts.computeIfAbsent(path + "/" + name, ignored -> new StringBuilder()).append(text);
            } else if (value instanceof JsonObject nested) {
                collect(nested, path + "/" + name, texts);
            } else if (value instanceof JsonArray array) {
                for (int i = 0; i < array.size(); i++) {
                    if (array.getValue(i) instanceof JsonObject item) {
                        collect(item, path + "/" + name + "/" + item.getInteger("index", i), texts);
                    }
                }
            }
        }
    }

    /** Returns the finish reasons by choice, the usage objects and the error events, in order. */
    private static List<String> protocolMarks(String stream) {
        List<String> marks = new ArrayList<>();
        for (JsonObject payload : payloads(stream)) {
            if (payload.getValue("usage") != null) {
                marks.add("usage " + payload.getValue("usage"));
            }
            if (payload.containsKey("error")) {
                marks.add("error " + payload.getValue("error"));
            }
            if (payload.getValue("choices") instanceof JsonArray choices) {
                for (int position = 0; position < choices.size(); position++) {
                    JsonObject choice = choices.getJsonObject(position);
                    if (choice.getValue("finish_reason") != null) {
                        marks.add("finish " + choice.getInteger("index", position) + " " + choice.getValue("finish_reason"));
                    }
                }
            }
        }
        return marks;
    }

    private static List<JsonObject> payloads(String stream) {
        List<JsonObject> payloads = new ArrayList<>();
        SseEventParser parser = new SseEventParser(StreamRelay.MAX_EVENT_BYTES);
        List<SseEvent> events = new ArrayList<>(parser.feed(Buffer.buffer(stream)));
        events.addAll(parser.finish());
        for (SseEvent event : events) {
            if (event.data() != null && !event.isDone()) {
                payloads.add(new JsonObject(event.data()));
            }
        }
        return payloads;
    }

    /**
     * Returns the stream with entities put into random text deltas. A delta that gets an entity
     * is often split into two events at a random character, and comment lines or invalid UTF-8
     * are sometimes added.
     */
    private static byte[] withEntities(List<byte[]> events, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] raw : events) {
            String event = new String(raw, StandardCharsets.UTF_8);
            if (random.nextInt(10) == 0) {
                out.writeBytes(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
            }
            JsonObject payload = dataOf(event);
            JsonObject delta = payload == null ? null : firstDelta(payload);
            String member = delta == null ? null : textMember(delta);
            if (member == null || random.nextInt(3) > 0) {
                out.writeBytes(raw);
                continue;
            }
            String entity = ENTITIES.get(random.nextInt(ENTITIES.size()));
            JsonObject owner = member.equals("content") ? delta
                    : delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function");
            String key = member.equals("content") ? "content" : "arguments";
            String text = owner.getString(key) + " " + entity + " ";
            if (random.nextBoolean()) {
                int split = random.nextInt(text.length() + 1);
                owner.put(key, text.substring(0, split));
                out.writeBytes(("data: " + payload.encode() + "\n\n").getBytes(StandardCharsets.UTF_8));
                owner.put(key, text.substring(split));
            } else {
                owner.put(key, text);
            }
            byte[] data = ("data: " + payload.encode() + "\n\n").getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(20) == 0) {
                data = withInvalidUtf8(data, payload.encode(), key);
            }
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    /** Puts a lone continuation byte and a truncated two-byte sequence into the JSON string of the member. */
    private static byte[] withInvalidUtf8(byte[] data, String json, String key) {
        int at = json.indexOf("\"" + key + "\":\"");
        if (at < 0) {
            return data;
        }
        byte[] prefix = ("data: " + json.substring(0, at + key.length() + 4)).getBytes(StandardCharsets.UTF_8);
        byte[] rest = (json.substring(at + key.length() + 4) + "\n\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix);
        out.writeBytes(new byte[] {(byte) 0x80, (byte) 0xC3});
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static JsonObject firstDelta(JsonObject payload) {
        if (payload.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
                && choices.getValue(0) instanceof JsonObject choice && choice.getValue("finish_reason") == null
                && choice.getValue("delta") instanceof JsonObject delta) {
            return delta;
        }
        return null;
    }

    /** Returns "content" or "arguments" when the delta carries that text, else null. */
    private static String textMember(JsonObject delta) {
        if (delta.getValue("content") instanceof String) {
            return "content";
        }
        if (delta.getValue("tool_calls") instanceof JsonArray calls && !calls.isEmpty()
                && calls.getValue(0) instanceof JsonObject call && call.getValue("function") instanceof JsonObject function
                && function.getValue("arguments") instanceof String) {
            return "arguments";
        }
        return null;
    }

    private static JsonObject dataOf(String event) {
        for (String line : event.split("\n")) {
            if (line.startsWith("data: ") && !line.startsWith("data: [DONE]")) {
                try {
                    return new JsonObject(line.substring(6));
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static AnswerStreamMasker masker() {
        return new AnswerStreamMasker(new TextMasker(DETECTOR, TYPES, MaskMode.REDACT, null, false), 8192);
    }

    private static List<Integer> cuts(int length, Random random) {
        List<Integer> cuts = new ArrayList<>();
        int position = 0;
        while (position < length) {
            position = Math.min(length, position + 1 + random.nextInt(random.nextBoolean() ? 8 : 200));
            cuts.add(position);
        }
        return cuts;
    }

    private static String event(String content) {
        JsonObject chunk = new JsonObject().put("id", "c").put("object", "chat.completion.chunk").put("choices",
                new JsonArray().add(new JsonObject().put("index", 0).put("delta", new JsonObject().put("content", content))
                        .putNull("finish_reason")));
        return "data: " + chunk.encode() + "\n\n";
    }

    private static List<byte[]> events(byte[] body, boolean jsonLines) {
        List<byte[]> events = new ArrayList<>();
        if (jsonLines) {
            for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    events.add(("data: " + line + "\n\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            events.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            return events;
        }
        String text = new String(body, StandardCharsets.UTF_8).replace("\r\n", "\n");
        for (String event : text.split("\n\n")) {
            if (!event.isBlank()) {
                events.add((event.replaceAll("\n+$", "") + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return events;
    }

    private static byte[] join(List<byte[]> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static byte[] read(String resource) {
        try (InputStream in = MaskedRelayTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the test resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
