package io.portcullis.streaming;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseEventParserTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai-chat_plain-text_usage-free", "openai-chat_agent-run.3", "openai-chat_n3-multi-choice",
            "azure-chat_4-tool-calls_async-filter", "vllm-style_crusoe.1", "openai-chat_content-with-logprobs"})
    void everySplitGivesSameEvents(String recording) throws IOException {
        byte[] bytes = recording(recording);
        List<SseEvent> whole = parseInPieces(bytes, new int[] {bytes.length});
        assertThat(whole).isNotEmpty();
        Buffer rejoined = Buffer.buffer();
        whole.forEach(event -> rejoined.appendBuffer(event.raw()));
        assertThat(rejoined.getBytes()).isEqualTo(bytes);

        for (int split = 1; split < bytes.length; split += 1 + bytes.length / 400) {
            List<SseEvent> pieces = parseInPieces(bytes, new int[] {split, bytes.length - split});
            assertThat(data(pieces)).as("split at %d", split).isEqualTo(data(whole));
        }
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            assertThat(data(parseInPieces(bytes, randomSizes(bytes.length, random)))).isEqualTo(data(whole));
        }
        assertThat(data(parseInPieces(bytes, ones(bytes.length)))).isEqualTo(data(whole));
    }

    @Test
    void lineTerminatorsAreAllAccepted() {
        String stream = "data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\ndata: e\n\n";
        SseEventParser parser = new SseEventParser(1024);
        List<SseEvent> events = new ArrayList<>();
        for (byte b : stream.getBytes()) {
            events.addAll(parser.feed(Buffer.buffer(new byte[] {b})));
        }
        events.addAll(parser.finish());
        assertThat(data(events)).containsExactly("a", "b", "c", "d\ne");
    }

    @Test
    void loneCrAtEndCompletesEvent() {
        SseEventParser parser = new SseEventParser(1024);
        assertThat(parser.feed(Buffer.buffer("data: [DONE]\r\r"))).isEmpty();
        List<SseEvent> events = parser.finish();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).isDone()).isTrue();
    }

    @Test
    void doneWithoutBlankLineCompletesAtEnd() {
        SseEventParser parser = new SseEventParser(1024);
        assertThat(parser.feed(Buffer.buffer("data: [DONE]\n"))).isEmpty();
        List<SseEvent> events = parser.finish();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).raw().toString()).isEqualTo("data: [DONE]\n");
    }

    @Test
    void unterminatedLineIsPartial() {
        SseEventParser parser = new SseEventParser(1024);
        parser.feed(Buffer.buffer("data: {\"id\":1}\n\ndata: {\"id\""));
        assertThat(parser.finish()).isEmpty();
        assertThat(parser.hasPartialEvent()).isTrue();
    }

    @Test
    void multiByteCharacterSplitIsDecoded() {
        byte[] bytes = "data: caf\u00e9 \u20ac \uD83D\uDE00\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SseEventParser parser = new SseEventParser(1024);
        List<SseEvent> events = new ArrayList<>();
        for (byte b : bytes) {
            events.addAll(parser.feed(Buffer.buffer(new byte[] {b})));
        }
        assertThat(data(events)).containsExactly("caf\u00e9 \u20ac \uD83D\uDE00");
    }

    @Test
    void commentsAndUnknownFieldsAreReported() {
        SseEventParser parser = new SseEventParser(1024);
        List<SseEvent> events = parser.feed(Buffer.buffer(": keep-alive\n\nid: 3\nretry: 10\ndata: x\n\nbogus\n\n"));
        assertThat(events).hasSize(3);
        assertThat(events.get(0).isCommentOnly()).isTrue();
        assertThat(events.get(1).wellFormed()).isTrue();
        assertThat(events.get(1).data()).isEqualTo("x");
        assertThat(events.get(2).wellFormed()).isFalse();
    }

    @Test
    void oversizedEventIsRejected() {
        SseEventParser parser = new SseEventParser(64);
        assertThatThrownBy(() -> parser.feed(Buffer.buffer("data: " + "x".repeat(100))))
                .isInstanceOf(SseEventParser.EventTooLargeException.class);
    }

    @Test
    void consumedBytesAreReleased() {
        SseEventParser parser = new SseEventParser(64);
        // Far more than the limit in total, but each event is small, so nothing accumulates.
        for (int i = 0; i < 10_000; i++) {
            assertThat(parser.feed(Buffer.buffer("data: {\"n\":" + i + "}\n\n"))).hasSize(1);
        }
    }

    private static List<SseEvent> parseInPieces(byte[] bytes, int[] sizes) {
        SseEventParser parser = new SseEventParser(1 << 20);
        List<SseEvent> events = new ArrayList<>();
        int offset = 0;
        for (int size : sizes) {
            int end = Math.min(bytes.length, offset + size);
            events.addAll(parser.feed(Buffer.buffer().appendBytes(bytes, offset, end - offset)));
            offset = end;
        }
        events.addAll(parser.finish());
        return events;
    }

    private static List<String> data(List<SseEvent> events) {
        return events.stream().map(SseEvent::data).toList();
    }

    private static int[] randomSizes(int total, Random random) {
        List<Integer> sizes = new ArrayList<>();
        int sum = 0;
        while (sum < total) {
            int size = 1 + random.nextInt(97);
            sizes.add(size);
            sum += size;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] ones(int total) {
        int[] sizes = new int[total];
        java.util.Arrays.fill(sizes, 1);
        return sizes;
    }

    private static byte[] recording(String name) throws IOException {
        try (InputStream in = SseEventParserTest.class.getResourceAsStream("/sse/" + name + ".sse")) {
            return in.readAllBytes();
        }
    }
}
